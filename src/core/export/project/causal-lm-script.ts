// The Python files of a causal-LM run's training project: lm_examples.py makes the rows into the examples
// WebTune's causal-LM task trained on (core/train/causal-lm-examples.ts: the same tokenisation, EOS, loss masking,
// packing or cutting, padding), train.py runs the Trainer on them with the run's recipe, and
// generation_metrics.py (instruction and chat data with validation rows) scores greedy completions with BLEU and
// ROUGE-L as core/run/causal-lm.ts does. Generated for one run: only the lines that run needs.
import type { GenerativeKind } from '../../data/generative';
import { IGNORE_INDEX } from '../../models/causal-lm';
import { MAX_GENERATION_PROMPTS } from '../../run/causal-lm';
import type { TrainingArguments } from '../../train/arguments';
import { CHATML_END, CHATML_RESIZE_MULTIPLE, CHATML_START, CHATML_TEMPLATE } from '../../models/chatml';
import type { CausalLmDataOptions } from '../../train/causal-lm-examples';
import type { ProjectLora } from './lora';
import { loraBlock, loraImports, loraParserLines } from './lora';
import { pyValue } from './python';
import { saveAndReportBlock, trainerBlock, trainingArgumentsBlock } from './trainer-arguments';

export interface CausalLmScriptSpec {
  /** Where from_pretrained finds the base model: a Hub id, or a folder the person must point at. */
  baseModel: string;
  revision?: string;
  kind: GenerativeKind;
  options: CausalLmDataOptions;
  /** The id appended to every row (the model's first eos_token_id, as WebTune took it). */
  eosTokenId: number;
  /** Every id generation stops at (generation_config.json's eos_token_id list). */
  eosTokenIds: readonly number[];
  /** What pads a batch: the model's pad_token_id, else its eos token (causalLmPadId). */
  padTokenId: number;
  /** The model's positions: a prompt this long leaves no room to generate. */
  contextLength: number;
  /** The model had no chat template and WebTune added ChatML (core/models/chatml.ts), as train.py does. */
  chatTemplateAdded: boolean;
  /**
   * The class from_pretrained builds (config.json's architectures[0]): transformers infers the loss type from
   * its name, and one not named …ForCausalLM (GPT2LMHeadModel) gets none.
   */
  modelClass: string;
  args: TrainingArguments;
  /** The run trained without a validation split: the final evaluation scores the training examples. */
  hasValidation: boolean;
  lora?: ProjectLora;
}

/** Instruction and chat runs with validation rows also report BLEU and ROUGE-L of greedy completions. */
export function reportsGenerationMetrics(spec: Pick<CausalLmScriptSpec, 'kind' | 'hasValidation'>): boolean {
  return spec.kind !== 'text' && spec.hasValidation;
}

export function causalLmTrainScript(spec: CausalLmScriptSpec): string {
  const { args } = spec;
  const evaluates = args.eval_strategy !== 'no';
  const metrics = reportsGenerationMetrics(spec);
  const modelArgs = spec.revision
    ? 'cli.model_name_or_path, revision=cli.revision'
    : 'cli.model_name_or_path';
  const lines = [
    `"""Fine-tunes ${spec.baseModel} as a causal language model as WebTune did in the browser, with the`,
    'Hugging Face Trainer. Run it with `accelerate launch train.py` (or `python train.py`); README.md says more.',
    '"""',
    'import argparse',
    'import json',
    'import math',
    '',
    ...(spec.lora ? loraImports(spec.lora) : []),
    'from transformers import (',
    '    AutoModelForCausalLM,',
    '    AutoTokenizer,',
    ...(args.early_stopping_patience !== undefined ? ['    EarlyStoppingCallback,'] : []),
    '    Trainer,',
    '    TrainingArguments,',
    ...(spec.options.packing ? ['    default_data_collator,'] : []),
    '    set_seed,',
    ')',
    '',
    ...(metrics ? ['from generation_metrics import generation_metrics'] : []),
    // isort's order (ruff's I001): constants, then functions alphabetically.
    `from lm_examples import ${spec.chatTemplateAdded ? 'add_chatml, ' : ''}${spec.options.packing ? '' : 'collate, '}make_examples, read_rows`,
    'from model_card import write_model_card',
    '',
    'parser = argparse.ArgumentParser(description=__doc__)',
    `parser.add_argument("--model_name_or_path", default=${pyValue(spec.baseModel)})`,
    ...(spec.revision ? [`parser.add_argument("--revision", default=${pyValue(spec.revision)})`] : []),
    ...(spec.lora ? loraParserLines(spec.lora) : []),
    'parser.add_argument("--data_dir", default="data")',
    'parser.add_argument("--output_dir", default="output")',
    'parser.add_argument("--checkpoint_dir", default="checkpoints")',
    'cli = parser.parse_args()',
    '',
    ...trainingArgumentsBlock(args, { labelSmoothing: false }),
    '',
    spec.lora && !spec.lora.adapter
      ? "# The seed first: the new adapters' initial values and the data order come from it, as in the browser run."
      : '# The seed first: the data order comes from it, as in the browser run.',
    'set_seed(training_args.seed)',
    `tokenizer = AutoTokenizer.from_pretrained(${modelArgs})`,
    ...(spec.chatTemplateAdded
      ? [
          "# The model has no chat template: WebTune added ChatML as TRL's clone_chat_template does (lm_examples.py),",
          '# and the saved tokenizer keeps it.',
          'add_chatml(tokenizer)',
        ]
      : []),
    `model = AutoModelForCausalLM.from_pretrained(${modelArgs})`,
    ...(spec.chatTemplateAdded
      ? [
          `# The embeddings grow to the new vocabulary rounded up to ${CHATML_RESIZE_MULTIPLE} rows, the new rows at the mean of the old`,
          '# ones (mean_resizing), as in the browser run.',
          'model.resize_token_embeddings(',
          `    max(len(tokenizer), model.config.vocab_size), pad_to_multiple_of=${CHATML_RESIZE_MULTIPLE}, mean_resizing=True`,
          ')',
          'model.config.eos_token_id = tokenizer.eos_token_id',
          'model.generation_config.eos_token_id = tokenizer.eos_token_id',
        ]
      : []),
    ...(/ForCausalLM$/.test(spec.modelClass)
      ? []
      : [
          `# ${spec.modelClass} names no loss type, and then the Trainer counts a batch's loss tokens from all labels`,
          '# instead of labels[1:] (the ones the shifted loss predicts): the mean would be too small wherever the first',
          '# position has a label (every packed block). Naming it makes the loss the mean over predicted tokens, as',
          '# WebTune computes it.',
          'model.loss_type = "ForCausalLM"',
        ]),
    ...(spec.lora ? loraBlock(spec.lora) : []),
    '',
    `rows = read_rows(cli.data_dir${spec.hasValidation ? '' : ', validation=False'})`,
    'examples = make_examples(tokenizer, rows)',
    '',
    ...trainerBlock(args, {
      trainDataset: 'examples["train"]',
      evalDataset: evaluates ? 'examples["validation"]' : undefined,
      dataCollator: spec.options.packing ? 'default_data_collator' : 'collate',
      computeMetrics: false,
    }),
    '',
    spec.hasValidation
      ? 'final = trainer.evaluate(examples["validation"])'
      : '# No validation split: the final evaluation scores the training examples, as WebTune does.\nfinal = trainer.evaluate(examples["train"])',
    '# exp of the mean token loss, as run_clm and WebTune report it.',
    'final["perplexity"] = math.exp(final["eval_loss"])',
    ...(metrics ? ['final.update(generation_metrics(trainer.model, tokenizer, rows["validation"]))'] : []),
    ...saveAndReportBlock(spec.lora),
  ];
  return `${lines.join('\n')}\n`;
}

/** lm_examples.py: the rows of data/ → the examples, exactly as WebTune's causal-LM task made them. */
export function causalLmExamplesModule(spec: CausalLmScriptSpec): string {
  const o = spec.options;
  const lines = [
    `"""The run's rows (data/*.jsonl) as the examples WebTune's causal-LM task trained and evaluated on: ${examplesSummary(spec)}."""`,
    ...(o.packing ? [] : ['import torch']),
    'from datasets import load_dataset',
    '',
    `BLOCK_SIZE = ${o.block_size}`,
    // A conversation ends with the template's own end token; text and instruction rows get EOS appended.
    ...(spec.kind === 'chat'
      ? []
      : ["# Appended to every row: the model's first eos_token_id.", `EOS_TOKEN_ID = ${spec.eosTokenId}`]),
    ...(o.packing ? [] : ["# Pads a batch: the model's pad_token_id, else its eos token."]),
    ...(o.packing ? [] : [`PAD_TOKEN_ID = ${spec.padTokenId}`]),
    "# The label of a position without loss (PyTorch's cross-entropy ignores it).",
    `IGNORE_INDEX = ${IGNORE_INDEX}`,
    ...(spec.chatTemplateAdded
      ? [
          "# ChatML, the template TRL's clone_chat_template gives a model without one, and its two markers.",
          `CHATML_TEMPLATE = ${pyValue(CHATML_TEMPLATE)}`,
          `CHATML_TOKENS = [${pyValue(CHATML_START)}, ${pyValue(CHATML_END)}]`,
          '',
          '',
          'def add_chatml(tokenizer):',
          '    """ChatML as WebTune added it: the template, its markers as special tokens, <|im_end|> as eos."""',
          '    tokenizer.chat_template = CHATML_TEMPLATE',
          '    tokenizer.add_tokens(CHATML_TOKENS, special_tokens=True)',
          '    tokenizer.eos_token = CHATML_TOKENS[1]',
        ]
      : []),
    '',
    '',
    'def read_rows(data_dir, validation=True):',
    `    files = ${'{'}"train": f"{data_dir}/train.jsonl"${'}'}`,
    '    if validation:',
    '        files["validation"] = f"{data_dir}/validation.jsonl"',
    '    return load_dataset("json", data_files=files)',
    '',
    '',
    ...tokenizeFunction(spec),
    '',
    '',
    ...(o.packing ? packFunction() : cutFunction()),
    '',
    '',
    'def make_examples(tokenizer, rows):',
    '    """Every split tokenised and masked row by row, then ' +
      (o.packing ? 'packed (each split on its own, as WebTune packs them)."""' : 'cut to BLOCK_SIZE."""'),
    '    examples = rows.map(lambda row: tokenize(tokenizer, row), remove_columns=rows["train"].column_names)',
    ...(o.packing
      ? [
          '    # batch_size=None: a whole split in one batch, so blocks run across all its rows.',
          '    return examples.map(pack, batched=True, batch_size=None)',
        ]
      : ['    return examples.map(cut).filter(lambda example: len(example["input_ids"]) >= 2)']),
    ...(o.packing ? [] : ['', '', ...collateFunction()]),
  ];
  return `${lines.join('\n')}\n`;
}

function examplesSummary(spec: CausalLmScriptSpec): string {
  const o = spec.options;
  const form =
    spec.kind === 'text'
      ? 'each text and EOS'
      : spec.kind === 'instruction'
        ? `prompt + completion and EOS${o.completion_only_loss ? ', loss on the completion only' : ''}`
        : `each conversation through the chat template${o.assistant_only_loss ? ', loss on the assistant turns only' : ''}`;
  return o.packing
    ? `${form}, all joined and cut into blocks of ${o.block_size} tokens (the incomplete last block dropped)`
    : `${form}, one example per row cut at ${o.block_size} tokens, right-padded in a batch`;
}

function tokenizeFunction(spec: CausalLmScriptSpec): string[] {
  if (spec.kind === 'text')
    return [
      'def tokenize(tokenizer, row):',
      '    input_ids = tokenizer(row["text"])["input_ids"] + [EOS_TOKEN_ID]',
      '    return {"input_ids": input_ids, "labels": list(input_ids)}',
    ];
  if (spec.kind === 'instruction')
    return spec.options.completion_only_loss
      ? [
          'def tokenize(tokenizer, row):',
          '    """As TRL: the prompt alone and prompt + completion tokenised; the prompt\'s length is where loss starts."""',
          '    prompt_length = len(tokenizer(row["prompt"])["input_ids"])',
          '    input_ids = tokenizer(row["prompt"] + row["completion"])["input_ids"] + [EOS_TOKEN_ID]',
          '    labels = [IGNORE_INDEX if t < prompt_length else token for t, token in enumerate(input_ids)]',
          '    return {"input_ids": input_ids, "labels": labels}',
        ]
      : [
          'def tokenize(tokenizer, row):',
          '    input_ids = tokenizer(row["prompt"] + row["completion"])["input_ids"] + [EOS_TOKEN_ID]',
          '    return {"input_ids": input_ids, "labels": list(input_ids)}',
        ];
  const assistantOnly = spec.options.assistant_only_loss;
  const others = assistantOnly ? 'False' : 'True';
  return [
    'def render(tokenizer, messages, generation_prompt):',
    '    return tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation_prompt)',
    '',
    '',
    'def tokenize(tokenizer, row):',
    '    """The conversation through the chat template a turn at a time: a turn\'s tokens are what rendering one',
    `    more message adds (each piece tokenised on its own, without special tokens)${assistantOnly ? "; only the assistant's\n    turns, after their generation prompt, carry loss" : ''}."""`,
    '    messages = row["messages"]',
    '    input_ids, labels = [], []',
    '    done = ""',
    '',
    '    def advance(text, with_loss):',
    '        nonlocal done',
    '        if not text.startswith(done):',
    '            raise ValueError("The chat template does not render a conversation\'s beginning as a prefix of the whole")',
    '        piece = tokenizer(text[len(done) :], add_special_tokens=False)["input_ids"]',
    '        input_ids.extend(piece)',
    '        labels.extend(piece if with_loss else [IGNORE_INDEX] * len(piece))',
    '        done = text',
    '',
    '    for i, turn in enumerate(messages):',
    '        if turn["role"] == "assistant":',
    `            advance(render(tokenizer, messages[:i], True), ${others})`,
    '            advance(render(tokenizer, messages[: i + 1], False), True)',
    '        else:',
    `            advance(render(tokenizer, messages[: i + 1], False), ${others})`,
    '    return {"input_ids": input_ids, "labels": labels}',
  ];
}

function packFunction(): string[] {
  return [
    'def pack(batch):',
    '    """The rows joined (each ends in EOS) and cut into BLOCK_SIZE blocks; the incomplete last block is dropped."""',
    '    input_ids = [token for row in batch["input_ids"] for token in row]',
    '    labels = [label for row in batch["labels"] for label in row]',
    '    starts = range(0, len(input_ids) // BLOCK_SIZE * BLOCK_SIZE, BLOCK_SIZE)',
    '    return {',
    '        "input_ids": [input_ids[s : s + BLOCK_SIZE] for s in starts],',
    '        "labels": [labels[s : s + BLOCK_SIZE] for s in starts],',
    '    }',
  ];
}

function cutFunction(): string[] {
  return [
    'def cut(example):',
    '    """A row longer than BLOCK_SIZE loses its end."""',
    '    return {"input_ids": example["input_ids"][:BLOCK_SIZE], "labels": example["labels"][:BLOCK_SIZE]}',
  ];
}

function collateFunction(): string[] {
  return [
    'def collate(examples):',
    '    """Right-padded to the longest example: PAD_TOKEN_ID, attention mask 0 and label IGNORE_INDEX on the padding."""',
    '    length = max(2, max(len(e["input_ids"]) for e in examples))',
    '    input_ids = torch.full((len(examples), length), PAD_TOKEN_ID)',
    '    attention_mask = torch.zeros((len(examples), length), dtype=torch.long)',
    '    labels = torch.full((len(examples), length), IGNORE_INDEX)',
    '    for b, e in enumerate(examples):',
    '        n = len(e["input_ids"])',
    '        input_ids[b, :n] = torch.tensor(e["input_ids"])',
    '        attention_mask[b, :n] = 1',
    '        labels[b, :n] = torch.tensor(e["labels"])',
    '    return {"input_ids": input_ids, "attention_mask": attention_mask, "labels": labels}',
  ];
}

/** generation_metrics.py: greedy completions of the validation prompts scored as WebTune scores them. */
export function generationMetricsModule(spec: CausalLmScriptSpec): string {
  const promptLines =
    spec.kind === 'instruction'
      ? [
          'def prompt_and_reference(tokenizer, row):',
          '    return tokenizer(row["prompt"])["input_ids"], row["completion"]',
        ]
      : [
          'def prompt_and_reference(tokenizer, row):',
          '    """The conversation up to its last assistant turn, with the generation prompt; that turn is the reference."""',
          '    messages = row["messages"]',
          '    last = max(i for i, turn in enumerate(messages) if turn["role"] == "assistant")',
          '    text = tokenizer.apply_chat_template(messages[:last], tokenize=False, add_generation_prompt=True)',
          '    return tokenizer(text, add_special_tokens=False)["input_ids"], messages[last]["content"]',
        ];
  const lines = [
    '"""BLEU and ROUGE-L of greedy completions of the validation prompts, as WebTune reports them: sacrebleu\'s corpus',
    'BLEU (its defaults) and rouge_score\'s ROUGE-L F-measure (no stemming), averaged over the prompts."""',
    'import re',
    '',
    'import sacrebleu',
    'import torch',
    '',
    `MAX_PROMPTS = ${MAX_GENERATION_PROMPTS}`,
    `CONTEXT_LENGTH = ${spec.contextLength}`,
    `EOS_TOKEN_IDS = ${pyValue(spec.eosTokenIds)}`,
    `PAD_TOKEN_ID = ${spec.padTokenId}`,
    '',
    '',
    ...promptLines,
    '',
    '',
    'def rouge_tokens(text):',
    '    return re.sub(r"[^a-z0-9]+", " ", text.lower()).split()',
    '',
    '',
    'def rouge_l(prediction, reference):',
    '    p, r = rouge_tokens(prediction), rouge_tokens(reference)',
    '    if not p or not r:',
    '        return 0.0',
    '    # The longest common subsequence, one row of the table at a time.',
    '    row = [0] * (len(p) + 1)',
    '    for a in r:',
    '        diagonal = 0',
    '        for j, b in enumerate(p, 1):',
    '            up = row[j]',
    '            row[j] = diagonal + 1 if a == b else max(up, row[j - 1])',
    '            diagonal = up',
    '    precision, recall = row[-1] / len(p), row[-1] / len(r)',
    '    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0',
    '',
    '',
    'def generation_metrics(model, tokenizer, rows):',
    '    """Each of the first MAX_PROMPTS prompts continued greedily for as many tokens as its reference has."""',
    '    model.eval()',
    '    generated, references = [], []',
    '    for row in rows.select(range(min(MAX_PROMPTS, len(rows)))):',
    '        prompt_ids, reference = prompt_and_reference(tokenizer, row)',
    '        room = CONTEXT_LENGTH - len(prompt_ids)',
    '        text = ""',
    '        if room > 0:',
    '            wanted = len(tokenizer(reference, add_special_tokens=False)["input_ids"])',
    '            ids = torch.tensor([prompt_ids], device=model.device)',
    '            with torch.no_grad():',
    '                output = model.generate(',
    '                    ids,',
    '                    attention_mask=torch.ones_like(ids),',
    '                    do_sample=False,',
    '                    repetition_penalty=1.0,',
    '                    max_new_tokens=max(1, min(wanted, room)),',
    '                    eos_token_id=EOS_TOKEN_IDS,',
    '                    pad_token_id=PAD_TOKEN_ID,',
    '                )',
    '            kept = [t for t in output[0, len(prompt_ids) :].tolist() if t not in EOS_TOKEN_IDS]',
    '            text = tokenizer.decode(kept, skip_special_tokens=True)',
    '        generated.append(text)',
    '        references.append(reference)',
    '    return {',
    '        "eval_bleu": sacrebleu.corpus_bleu(generated, [references]).score,',
    '        "eval_rougeL": sum(map(rouge_l, generated, references)) / len(generated),',
    '    }',
  ];
  return `${lines.join('\n')}\n`;
}
