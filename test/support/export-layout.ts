// The export's folder for a model with a WordPiece tokenizer (BERT, DistilBERT): what `npm run train --out`
// writes and what the app's "Download model" zip holds. Both tests compare against this one list, so the two
// paths cannot drift apart.
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
