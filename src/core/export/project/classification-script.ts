// train.py for a sequence-classification run: the Hugging Face Trainer doing what the browser did (same rows,
// same label order, same tokenisation and recipe under transformers' names). Generated for one run, so it holds
// only the lines that run needs: no branches on options the run did not use.
import type { TrainingArguments } from '../../train/arguments';
import type { ProjectLora } from './lora';
import { loraBlock, loraImports, loraParserLines } from './lora';
import { pyValue } from './python';
import { saveAndReportBlock, trainerBlock, trainingArgumentsBlock } from './trainer-arguments';

export interface ClassificationScriptSpec {
  /** Where from_pretrained finds the base model: a Hub id, or a folder the person must point at. */
  baseModel: string;
  revision?: string;
  labels: readonly string[];
  /** Whether examples are text pairs (`text` + `text_pair` in the JSONL). */
  pairs: boolean;
  maxLength: number;
  args: TrainingArguments;
  /** The base checkpoint already has a classification head with another number of labels. */
  replacesHead: boolean;
  /** The run trained without a validation split: the final evaluation scores the training rows, as WebTune's. */
  hasValidation: boolean;
  /** Set for a LoRA run (args.mode "lora"): the adapters PEFT attaches, and what the run exported. */
  lora?: ProjectLora;
}

export function classificationScript(spec: ClassificationScriptSpec): string {
  const { args } = spec;
  const evaluates = args.eval_strategy !== 'no';
  const lines = [
    `"""Fine-tunes ${spec.baseModel} for text classification as WebTune did in the browser, with the`,
    'Hugging Face Trainer. Run it with `accelerate launch train.py` (or `python train.py`); README.md says more.',
    '"""',
    'import argparse',
    'import json',
    '',
    'import numpy as np',
    'from datasets import load_dataset',
    ...(spec.lora ? loraImports(spec.lora) : []),
    'from transformers import (',
    '    AutoModelForSequenceClassification,',
    '    AutoTokenizer,',
    '    DataCollatorWithPadding,',
    ...(args.early_stopping_patience !== undefined ? ['    EarlyStoppingCallback,'] : []),
    '    Trainer,',
    '    TrainingArguments,',
    '    set_seed,',
    ')',
    '',
    'from model_card import write_model_card',
    '',
    '# Label i is logit i, in the order the browser trained with.',
    `LABELS = ${pyValue(spec.labels)}`,
    `MAX_LENGTH = ${spec.maxLength}`,
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
    ...trainingArgumentsBlock(spec.args, { labelSmoothing: true }),
    '',
    '# The seed first, so a newly initialised classification head starts as the browser run did (same seed).',
    'set_seed(training_args.seed)',
    `tokenizer = AutoTokenizer.from_pretrained(${modelArgs(spec)})`,
    'model = AutoModelForSequenceClassification.from_pretrained(',
    `    ${modelArgs(spec)},`,
    '    num_labels=len(LABELS),',
    '    id2label=dict(enumerate(LABELS)),',
    '    label2id={label: i for i, label in enumerate(LABELS)},',
    ...(spec.replacesHead
      ? ['    # The checkpoint has a head for another number of labels: a new one is initialised.']
      : []),
    ...(spec.replacesHead ? ['    ignore_mismatched_sizes=True,'] : []),
    ')',
    ...freezeBlock(args.mode),
    ...(spec.lora ? loraBlock(spec.lora) : []),
    '',
    spec.hasValidation
      ? 'splits = {"train": f"{cli.data_dir}/train.jsonl", "validation": f"{cli.data_dir}/validation.jsonl"}'
      : 'splits = {"train": f"{cli.data_dir}/train.jsonl"}',
    'data = load_dataset("json", data_files=splits)',
    '',
    '',
    'def tokenize(batch):',
    `    encoded = tokenizer(${spec.pairs ? 'batch["text"], batch["text_pair"]' : 'batch["text"]'}, truncation=True, max_length=MAX_LENGTH)`,
    '    encoded["labels"] = [LABELS.index(label) for label in batch["label"]]',
    '    return encoded',
    '',
    '',
    'data = data.map(tokenize, batched=True, remove_columns=data["train"].column_names)',
    '',
    '',
    ...computeMetricsBlock(),
    '',
    '',
    ...trainerBlock(args, {
      trainDataset: 'data["train"]',
      evalDataset: evaluates || spec.hasValidation ? 'data["validation"]' : undefined,
      dataCollator: 'DataCollatorWithPadding(tokenizer)',
      computeMetrics: true,
    }),
    '',
    spec.hasValidation
      ? 'final = trainer.evaluate()'
      : '# No validation split: the final evaluation scores the training rows, as WebTune does.\nfinal = trainer.evaluate(data["train"])',
    ...saveAndReportBlock(spec.lora),
  ];
  return `${lines.join('\n')}\n`;
}

function modelArgs(spec: ClassificationScriptSpec): string {
  return spec.revision ? 'cli.model_name_or_path, revision=cli.revision' : 'cli.model_name_or_path';
}

function freezeBlock(mode: TrainingArguments['mode']): string[] {
  if (mode === 'head')
    return [
      '# Mode "head": only the classification head trains; the encoder stays as it was.',
      'model.base_model.requires_grad_(False)',
    ];
  if (mode === 'frozen-embeddings')
    return [
      '# Mode "frozen-embeddings": everything trains but the embeddings.',
      'model.base_model.embeddings.requires_grad_(False)',
    ];
  return [];
}

function computeMetricsBlock(): string[] {
  return [
    'def compute_metrics(prediction):',
    '    """Accuracy and macro / weighted precision, recall and F1, as WebTune reports them (scikit-learn\'s',
    '    definitions, 0 where a class is never predicted or never present)."""',
    '    logits, labels = prediction',
    '    predicted = np.argmax(logits, axis=-1)',
    '    confusion = np.zeros((len(LABELS), len(LABELS)))',
    '    np.add.at(confusion, (labels, predicted), 1)',
    '    hits = np.diag(confusion)',
    '    support = confusion.sum(axis=1)',
    '    predicted_count = confusion.sum(axis=0)',
    '    precision = np.divide(hits, predicted_count, out=np.zeros_like(hits), where=predicted_count > 0)',
    '    recall = np.divide(hits, support, out=np.zeros_like(hits), where=support > 0)',
    '    both = precision + recall',
    '    f1 = np.divide(2 * precision * recall, both, out=np.zeros_like(hits), where=both > 0)',
    '    return {',
    '        "accuracy": float(hits.sum() / confusion.sum()),',
    '        "f1": float(f1.mean()),',
    '        "f1_weighted": float((f1 * support).sum() / support.sum()),',
    '        "precision": float(precision.mean()),',
    '        "recall": float(recall.mean()),',
    '    }',
  ];
}
