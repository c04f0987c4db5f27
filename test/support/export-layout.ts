// The export's folder for a model with a WordPiece tokenizer (BERT, DistilBERT): what `npm run train --out`
// writes and what the app's "Download model" zip holds. Both tests compare against these lists, so the two
// paths cannot drift apart.

/** The files buildExportFiles makes (everything but the streamed ONNX models). */
export const WORDPIECE_EXPORT_LAYOUT = [
  'README.md',
  'config.json',
  'metrics.json',
  'model.safetensors',
  'special_tokens_map.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'training_args.json',
  'vocab.txt',
];

/** The ONNX models every export holds, by their path in the folder. */
export const ONNX_EXPORT_FILES = ['onnx/model.onnx', 'onnx/model_quantized.onnx'];

/** Every file of the folder, by its path in it, sorted. */
export const WORDPIECE_FOLDER_FILES = [...WORDPIECE_EXPORT_LAYOUT, ...ONNX_EXPORT_FILES].sort();
