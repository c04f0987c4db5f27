// The one table of training arguments: every CLI training flag is an entry and every entry a flag, its
// defaults are transformers' / PEFT's where WebTune keeps them (read from the real libraries), each entry has
// help, and the CLI, the form and the export all follow it.
import { describe, expect, it } from 'vitest';

import { parseTrainArgs, TRAIN_FLAG_KEYS, TRAIN_USAGE } from '../../src/cli/args';
import {
  ARGUMENT_TABLE,
  cliKey,
  defaultDescription,
  parseArgumentText,
  TRAINER_ENTRIES,
  type ArgumentEntry,
} from '../../src/core/argument-table';
import { trainingArgumentsRecord } from '../../src/core/export/training-files';
import { DEFAULT_TRAINING_ARGUMENTS, resolveTrainingArguments } from '../../src/core/train/arguments';
import { defaultSettings, FORM_ENTRIES, toTrainingArguments } from '../../src/ui/train/defaults';
import { parseSettings, settingsText } from '../../src/ui/train/HyperParameters';
import { runPythonStack } from '../support/python';

const base = ['--data', 'train.csv', '--model', 'm', '--out', 'o', '--validation', 'dev.csv'];

/** The train command's own flags: what to read and write, not how to train. */
const COMMAND_FLAGS = [
  'model',
  'data',
  'hub',
  'backend',
  'text_column',
  'text_pair_column',
  'help',
  'task',
  'validation',
  'out',
  'label_column',
  'resume',
  'project',
  'project_data',
  'adapter',
  'export',
];

/** A valid value of the entry's kind other than its default, as a flag's text. */
function otherValue(entry: ArgumentEntry): string {
  const kind = entry.kind;
  switch (kind.type) {
    case 'bool':
      return entry.default === true ? 'false' : 'true';
    case 'enum':
      return kind.values.find((v) => v !== entry.default) as string;
    case 'int':
      return String(Math.max(kind.min, 1) + 2);
    case 'float':
      return String(kind.max !== undefined ? kind.max / 4 : 0.25);
    case 'modules':
      return 'dense,pooler';
    case 'string':
      return 'accuracy';
  }
}

describe('the training-argument table', () => {
  it('has one entry per CLI training flag and one flag per entry', () => {
    const tableKeys = ARGUMENT_TABLE.map(cliKey);
    expect(new Set(tableKeys).size).toBe(tableKeys.length);
    expect([...TRAIN_FLAG_KEYS].sort()).toEqual([...COMMAND_FLAGS, ...tableKeys].sort());
  });

  it('gives every entry a label, help and a place in --help with its default', () => {
    for (const entry of ARGUMENT_TABLE) {
      expect(entry.label.length, entry.name).toBeGreaterThan(2);
      expect(entry.help, entry.name).toMatch(/^[A-Z].{10,}\.$/);
      const flag = `--${cliKey(entry).replace(/_/g, '-')}`;
      const underscored = `--${cliKey(entry)}`;
      expect(TRAIN_USAGE.includes(flag) || TRAIN_USAGE.includes(underscored), entry.name).toBe(true);
      const shown = defaultDescription(entry);
      if (shown !== undefined)
        expect(TRAIN_USAGE.replace(/\s+/g, ' '), entry.name).toContain(`(default: ${shown})`);
      // The default (where there is one) is valid by the entry's own rules.
      if (entry.default !== undefined)
        expect(parseArgumentText(entry.kind, String(entry.default)).problem, entry.name).toBeUndefined();
    }
  });

  it('reaches the trainer, the causal-LM options or LoRA from each flag', () => {
    for (const entry of ARGUMENT_TABLE) {
      const value = otherValue(entry);
      const lora = entry.modes?.includes('lora') ? ['--mode', 'lora'] : [];
      const task = entry.tasks.includes('sequence-classification') ? [] : ['--task', 'causal-lm'];
      const parsed = parseTrainArgs([...base, ...task, ...lora, `--${cliKey(entry)}`, value]);
      if (parsed.help) throw new Error('unexpected help');
      const expected = parseArgumentText(entry.kind, value).value;
      const got =
        entry.source === 'tokenizer'
          ? parsed.maxLength
          : entry.source === 'SFTConfig'
            ? parsed.causalLm[entry.name as keyof typeof parsed.causalLm]
            : entry.source === 'LoraConfig'
              ? (parsed.lora as Record<string, unknown> | undefined)?.[entry.name]
              : (parsed.training as unknown as Record<string, unknown>)[entry.name];
      const want = entry.kind.type === 'modules' ? String(expected).split(',') : expected;
      expect(got, entry.name).toEqual(want);
    }
  });

  it("keeps transformers' and PEFT's defaults, except where it says why not", () => {
    const python = runPythonStack<{
      training: Record<string, unknown>;
      early: number;
      lora: Record<string, unknown>;
    }>(
      `
import dataclasses, json, sys
from transformers import EarlyStoppingCallback, TrainingArguments
from peft import LoraConfig
names = json.load(sys.stdin)
fields = {f.name: f.default for f in dataclasses.fields(TrainingArguments)}
value = lambda v: getattr(v, "value", v)
lora = LoraConfig()
print(json.dumps({
    "training": {n: value(fields[n]) for n in names if n in fields},
    "early": EarlyStoppingCallback().early_stopping_threshold,
    "lora": {n: getattr(lora, n) for n in ["r", "lora_alpha", "lora_dropout", "use_rslora"]},
}))
`,
      TRAINER_ENTRIES.map((e) => e.name),
    );
    const reference = (entry: ArgumentEntry): unknown =>
      entry.source === 'LoraConfig'
        ? python.lora[entry.name]
        : entry.source === 'EarlyStoppingCallback'
          ? entry.name === 'early_stopping_threshold'
            ? python.early
            : undefined
          : python.training[entry.name];
    const compared: string[] = [];
    for (const entry of ARGUMENT_TABLE) {
      const upstream = reference(entry);
      if (upstream === undefined) continue;
      compared.push(entry.name);
      // An unset default is transformers' None; a documented difference names the library's value.
      const expected = entry.upstream ? entry.upstream.default : (entry.default ?? null);
      expect(upstream, entry.name).toEqual(expected);
      if (entry.upstream) expect(entry.upstream.why.length, entry.name).toBeGreaterThan(10);
    }
    // transformers 5 dropped warmup_ratio and group_by_length; everything else of TrainingArguments is compared.
    const missing = TRAINER_ENTRIES.filter(
      (e) => e.source === 'TrainingArguments' && !compared.includes(e.name),
    ).map((e) => e.name);
    expect(missing).toEqual(['warmup_ratio', 'group_by_length']);
    expect(compared).toEqual(expect.arrayContaining(['r', 'lora_alpha', 'lora_dropout', 'use_rslora']));
  }, 120_000);

  it('gives the trainer, the CLI and the form the same defaults', () => {
    // The trainer's defaults are the table's.
    for (const entry of TRAINER_ENTRIES)
      expect(
        (DEFAULT_TRAINING_ARGUMENTS as unknown as Record<string, unknown>)[entry.name],
        entry.name,
      ).toEqual(entry.default);
    // The CLI without training flags trains with them (evaluating per epoch with a validation file).
    const parsed = parseTrainArgs(base);
    if (parsed.help) throw new Error('unexpected help');
    expect(parsed.training).toEqual({ ...DEFAULT_TRAINING_ARGUMENTS, eval_strategy: 'epoch' });
    // The form holds exactly the table's form entries; unedited, it gives the trainer the same arguments except
    // the few the loaded model suggests (its size's learning rate, batch and accumulation).
    const form = defaultSettings(110e6);
    expect(Object.keys(form).sort()).toEqual(FORM_ENTRIES.map((e) => e.name).sort());
    expect(parseSettings(settingsText(form)).settings).toEqual(
      Object.fromEntries(Object.entries(form).filter(([, v]) => v !== undefined)),
    );
    expect(resolveTrainingArguments(toTrainingArguments(form))).toEqual({
      ...parsed.training,
      learning_rate: form.learning_rate,
      per_device_train_batch_size: form.per_device_train_batch_size,
      gradient_accumulation_steps: form.gradient_accumulation_steps,
    });
    expect([form.learning_rate, form.gradient_accumulation_steps]).toEqual([3e-5, 2]); // base size's suggestions
  });

  it('writes the same training_args.json keys for every run of a task, from the table', () => {
    const classifier = trainingArgumentsRecord(resolveTrainingArguments({}), {
      task: 'sequence-classification',
      maxLength: 64,
    });
    const tuned = trainingArgumentsRecord(
      resolveTrainingArguments({ eval_strategy: 'steps', eval_steps: 5, early_stopping_patience: 2 }),
      { task: 'sequence-classification', maxLength: 128 },
    );
    expect(Object.keys(tuned)).toEqual(Object.keys(classifier));
    expect(classifier).toMatchObject({ max_seq_length: 64, eval_steps: null, optim: 'adamw_torch' });
    expect(tuned).toMatchObject({ eval_steps: 5, early_stopping_patience: 2 });
    const lm = trainingArgumentsRecord(resolveTrainingArguments({}), {
      task: 'causal-lm',
      causalLm: { block_size: 64, packing: true, completion_only_loss: true, assistant_only_loss: true },
    });
    expect(lm).toMatchObject({ block_size: 64, packing: true });
    expect('max_seq_length' in lm || 'label_smoothing_factor' in lm).toBe(false);
    // No LoRA fields (adapter_config.json holds them) and no form wording.
    for (const record of [classifier, lm]) expect('r' in record || 'use_rslora' in record).toBe(false);
  });
});
