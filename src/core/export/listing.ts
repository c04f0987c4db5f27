// The export's file list with sizes and what each file is for, for the CLI's output and the app's Export step.
import type { ExportFiles } from './bundle';
import type { StreamedFiles } from './streamed-file';

export interface ExportEntry {
  name: string;
  bytes: number;
  /** What the file is for, in a few words. */
  purpose: string;
}

const PURPOSES: [RegExp, string][] = [
  // A classifier's also names its labels (id2label / label2id); a causal LM's has none.
  [/^config\.json$/, 'the model configuration (architecture, sizes; a classifier’s label names)'],
  [/^generation_config\.json$/, 'generation defaults (eos_token_id, pad_token_id) for generate()'],
  [/^chat_template\.jinja$/, 'the chat template the tokenizer applies to messages'],
  [/^model\.safetensors$/, 'float32 weights for Python transformers (from_pretrained)'],
  [/^onnx\/model\.onnx$/, 'float32 ONNX model for transformers.js (dtype fp32) and ONNX Runtime'],
  [
    /^onnx\/model_quantized\.onnx$/,
    '8-bit ONNX model, the one transformers.js loads by default (v2; v3 dtype q8)',
  ],
  [/^tokenizer\.json$/, 'the tokenizer (vocabulary and rules), for every consumer'],
  [/^tokenizer_config\.json$/, 'tokenizer settings (class, lower-casing, max length)'],
  [/^special_tokens_map\.json$/, 'the special tokens ([CLS], [SEP], padding …)'],
  [/^(vocab\.txt|vocab\.json|merges\.txt)$/, 'vocabulary files of the slow tokenizer'],
  [/^README\.md$/, 'model card: results, training data, hyper-parameters, usage'],
  [/^training_args\.json$/, 'the training arguments under their transformers names'],
  [/^metrics\.json$/, 'the log history (loss, learning rate, evaluations)'],
  [
    /^adapter_config\.json$/,
    "the LoRA adapter's settings (PEFT's LoraConfig: r, lora_alpha, target_modules)",
  ],
  [
    /^adapter_model\.safetensors$/,
    'the LoRA adapter (lora_A, lora_B, the saved head) for PeftModel.from_pretrained',
  ],
];

/** Where a LoRA export of both kinds puts the adapter folder (core/lora/export.ts's ADAPTER_SUBFOLDER). */
const ADAPTER_FOLDER = 'adapter/';

export function fileDescription(name: string): string {
  // The adapter folder inside a LoRA export holds files of the same names, for PEFT.
  const inAdapter = name.startsWith(ADAPTER_FOLDER);
  const own = inAdapter ? name.slice(ADAPTER_FOLDER.length) : name;
  const purpose = PURPOSES.find(([pattern]) => pattern.test(own))?.[1] ?? 'a file of the base model';
  return inAdapter && !own.startsWith('adapter_') ? `${purpose} (of the adapter folder)` : purpose;
}

export function exportListing(files: ExportFiles, streamed: StreamedFiles = new Map()): ExportEntry[] {
  return [
    ...[...files].map(([name, data]) => ({ name, bytes: data.byteLength })),
    ...[...streamed].map(([name, file]) => ({ name, bytes: file.byteLength })),
  ].map((e) => ({ ...e, purpose: fileDescription(e.name) }));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** One line per file, sizes right-aligned, then the total. */
export function formatListing(files: ExportFiles, streamed: StreamedFiles = new Map()): string {
  const entries = exportListing(files, streamed);
  const width = Math.max(...entries.map((e) => e.name.length), 'total'.length);
  const total = entries.reduce((a, e) => a + e.bytes, 0);
  return [...entries, { name: 'total', bytes: total, purpose: '' }]
    .map((e) =>
      `${e.name.padEnd(width)}  ${formatBytes(e.bytes).padStart(10)}  (${e.bytes} bytes)${e.purpose ? `  ${e.purpose}` : ''}`.trimEnd(),
    )
    .join('\n');
}
