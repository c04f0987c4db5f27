import { describe, expect, it } from 'vitest';

import { CliArgumentError, parsePredictArgs, parseTrainArgs, TRAIN_USAGE } from '../../src/cli/args';
import { DEFAULT_TRAINING_ARGUMENTS } from '../../src/core/train/arguments';

const base = ['--data', 'train.csv', '--model', 'prajjwal1/bert-tiny', '--out', 'runs/sst2'];

function trainOk(argv: string[]) {
  const parsed = parseTrainArgs(argv);
  if (parsed.help) throw new Error('unexpected help');
  return parsed;
}

describe('npm run train arguments', () => {
  it("parses the issue's example command", () => {
    const argv = [
      ...[
        '--data',
        'train.csv',
        '--validation',
        'dev.csv',
        '--model',
        'prajjwal1/bert-tiny',
        '--out',
        'runs/sst2',
      ],
      ...[
        '--epochs',
        '3',
        '--lr',
        '2e-4',
        '--batch-size',
        '32',
        '--max-length',
        '64',
        '--warmup-ratio',
        '0.1',
      ],
      ...['--weight-decay', '0.01', '--seed', '42', '--backend', 'wasm', '--hub', 'http://127.0.0.1:9/'],
      ...[
        '--text-column',
        'sentence',
        '--label-column',
        'label',
        '--eval-strategy',
        'steps',
        '--eval-steps',
        '50',
      ],
      ...['--early-stopping-patience', '3', '--mode', 'frozen-embeddings', '--resume'],
    ];
    const p = trainOk(argv);
    expect(p).toMatchObject({
      data: 'train.csv',
      validation: 'dev.csv',
      model: 'prajjwal1/bert-tiny',
      out: 'runs/sst2',
      backend: 'wasm',
      hub: 'http://127.0.0.1:9/',
      textColumn: 'sentence',
      labelColumn: 'label',
      maxLength: 64,
      resume: true,
    });
    expect(p.textPairColumn).toBeUndefined();
    expect(p.training).toMatchObject({
      num_train_epochs: 3,
      learning_rate: 2e-4,
      per_device_train_batch_size: 32,
      warmup_ratio: 0.1,
      weight_decay: 0.01,
      seed: 42,
      eval_strategy: 'steps',
      eval_steps: 50,
      early_stopping_patience: 3,
      mode: 'frozen-embeddings',
    });
  });

  it('takes the transformers names too, with underscores or dashes and with =', () => {
    const p = trainOk([
      ...base,
      '--learning_rate=3e-5',
      '--num_train_epochs',
      '2',
      '--per_device_train_batch_size',
      '16',
      '--per-device-eval-batch-size=64',
      '--warmup_steps',
      '10',
      '--gradient_accumulation_steps',
      '4',
      '--lr_scheduler_type',
      'cosine',
      '--label_smoothing_factor',
      '0.1',
      '--max_grad_norm',
      '0.5',
      '--logging_steps',
      '5',
      '--metric_for_best_model',
      'f1',
      '--greater_is_better',
      'false',
      '--group_by_length',
      '--load-best-model-at-end=true',
      '--validation',
      'dev.csv',
    ]);
    expect(p.training).toEqual({
      ...DEFAULT_TRAINING_ARGUMENTS,
      learning_rate: 3e-5,
      num_train_epochs: 2,
      per_device_train_batch_size: 16,
      per_device_eval_batch_size: 64,
      warmup_steps: 10,
      gradient_accumulation_steps: 4,
      lr_scheduler_type: 'cosine',
      label_smoothing_factor: 0.1,
      max_grad_norm: 0.5,
      logging_steps: 5,
      metric_for_best_model: 'f1',
      greater_is_better: false,
      group_by_length: true,
      load_best_model_at_end: true,
      eval_strategy: 'epoch',
    });
  });

  it("takes the issue's LoRA flags, PEFT's spellings too, and --export", () => {
    const p = trainOk([
      ...base,
      ...['--mode', 'lora', '--lora-r', '8', '--lora-alpha', '16', '--lora-dropout', '0.05'],
      ...['--lora-target-modules', 'query,value', '--modules-to-save', 'classifier'],
    ]);
    expect(p.training.mode).toBe('lora');
    expect(p.lora).toEqual({
      r: 8,
      lora_alpha: 16,
      lora_dropout: 0.05,
      target_modules: ['query', 'value'],
      modules_to_save: ['classifier'],
    });
    expect(p.export).toBe('both');
    const q = trainOk([
      ...base,
      ...['--mode', 'lora', '--lora_r', '4', '--lora_alpha=32', '--target_modules', 'all-linear'],
      ...['--use-rslora', '--export', 'adapter'],
    ]);
    expect(q.lora).toEqual({ r: 4, lora_alpha: 32, target_modules: 'all-linear', use_rslora: true });
    expect(q.export).toBe('adapter');
    expect(() => trainOk([...base, '--mode', 'lora', '--export', 'onnx'])).toThrow(
      '--export must be one of adapter, merged, both; got "onnx"',
    );
  });

  it('evaluates per epoch with a validation file and not at all without one', () => {
    expect(trainOk(base).training.eval_strategy).toBe('no');
    expect(trainOk([...base, '--validation', 'dev.csv']).training.eval_strategy).toBe('epoch');
    expect(trainOk(['--', ...base]).maxLength).toBe(128);
  });

  it('takes --task and the causal-LM data flags by TRL’s names', () => {
    const argv = ['--data', 'chat.jsonl', '--model', 'HuggingFaceTB/SmolLM2-135M', '--out', 'runs/chat'];
    expect(trainOk(argv).task).toBeUndefined(); // decided by the model
    const parsed = trainOk([
      ...argv,
      ...['--task', 'causal-lm', '--block-size', '256', '--packing', 'false'],
      ...['--completion_only_loss=false', '--assistant-only-loss', 'true'],
    ]);
    expect(parsed.task).toBe('causal-lm');
    expect(parsed.causalLm).toEqual({
      block_size: 256,
      packing: false,
      completion_only_loss: false,
      assistant_only_loss: true,
    });
    expect(trainOk(argv).causalLm).toEqual({});
    for (const flag of [
      '--task',
      '--block-size',
      '--packing',
      '--completion-only-loss',
      '--assistant-only-loss',
    ])
      expect(TRAIN_USAGE).toContain(flag);
  });

  it.each([
    [
      [...base, '--task', 'causal-lm', '--max-length', '64'],
      '--max-length does not apply with --task causal-lm (use --block-size)',
    ],
    [
      [...base, '--task', 'causal-lm', '--label-column', 'y'],
      '--label-column does not apply with --task causal-lm',
    ],
    [
      [...base, '--task', 'sequence-classification', '--packing'],
      '--packing applies only with --task causal-lm',
    ],
    [[...base, '--block-size', '1'], '--block-size must be at least 2, got 1'],
    [
      [...base, '--task', 'summarization'],
      '--task must be one of sequence-classification, causal-lm; got "summarization"',
    ],
    [[...base.slice(2)], 'train needs --data FILE (the training data)'],
    [['--data', 'a.csv', '--out', 'o'], 'train needs --model ID|DIR (a Hub model id or a local folder)'],
    [[...base, '--lr'], '--lr needs a value'],
    [[...base, '--lr', '--epochs', '3'], '--lr needs a value'],
    [[...base, '--lr', 'fast'], '--lr takes a number, got "fast"'],
    [[...base, '--lr', '0'], '--lr must be > 0, got 0'],
    [[...base, '--epochs', '-1'], '--epochs must be > 0, got -1'],
    [[...base, '--batch-size', '3.5'], '--batch-size takes a whole number, got "3.5"'],
    [[...base, '--warmup-ratio', '1.5'], '--warmup-ratio must be ≥ 0 and ≤ 1, got 1.5'],
    [[...base, '--mode', 'qlora'], '--mode must be one of full, head, frozen-embeddings, lora; got "qlora"'],
    [[...base, '--lora-r', '4'], '--lora-r applies only with --mode lora'],
    [[...base, '--backend', 'gpu'], '--backend must be one of auto, webgpu, wasm, cpu; got "gpu"'],
    [
      [...base, '--learning-rat', '1e-4'],
      'Unknown argument --learning-rat for train; did you mean --learning-rate?',
    ],
    [[...base, '--lr', '1e-4', '--learning_rate', '2e-4'], '--learning_rate is given twice (also as --lr)'],
    [[...base, '--epoch', '3'], 'Unknown argument --epoch for train; did you mean --epochs?'],
    [[...base, '--frobnicate', '3'], 'Unknown argument --frobnicate for train (see --help)'],
    [[...base, 'extra.csv'], 'Unexpected argument "extra.csv": train takes only --flags (see --help)'],
    [[...base, '--resume', 'maybe'], 'Unexpected argument "maybe": train takes only --flags (see --help)'],
    [[...base, '--eval-strategy', 'steps'], '--eval-strategy steps needs --validation FILE'],
    [
      [...base, '--early-stopping-patience', '2'],
      'early_stopping_patience needs an eval_strategy other than "no"',
    ],
  ])('%j → one clear line', (argv, message) => {
    let error: unknown;
    try {
      parseTrainArgs(argv);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliArgumentError);
    expect((error as Error).message).toBe(message);
    expect((error as Error).message).not.toContain('\n');
  });

  it('answers --help without requiring anything else', () => {
    expect(parseTrainArgs(['--help'])).toEqual({ help: true });
    expect(parseTrainArgs(['-h'])).toEqual({ help: true });
    for (const flag of [
      '--lr',
      '--learning_rate',
      '--epochs',
      '--num_train_epochs',
      '--batch-size',
      '--max-length',
    ])
      expect(TRAIN_USAGE).toContain(flag);
  });
});

describe('npm run predict arguments', () => {
  it('parses the model, data, output and --logits', () => {
    expect(
      parsePredictArgs(['--model', 'runs/sst2', '--data', 'x.csv', '--out', 'preds.csv', '--logits']),
    ).toEqual({
      help: false,
      model: 'runs/sst2',
      data: 'x.csv',
      out: 'preds.csv',
      logits: true,
      backend: 'auto',
      hub: undefined,
      textColumn: undefined,
      textPairColumn: undefined,
      maxLength: 128,
      batchSize: 32,
    });
    expect(() => parsePredictArgs(['--model', 'm', '--data', 'x.csv'])).toThrow(
      'predict needs --out FILE (the predictions CSV to write)',
    );
    expect(() => parsePredictArgs(['--model', 'm', '--data', 'x', '--out', 'y', '--lr', '1'])).toThrow(
      'Unknown argument --lr for predict',
    );
  });
});
