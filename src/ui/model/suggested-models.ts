// Small models that run well in a browser, smallest first within each kind. Sizes are the weights' download
// (fp32 for the encoders; the decoders' checkpoints are stored in BF16 or fp32, as on the Hub).
export const SUGGESTED_MODELS = [
  {
    id: 'prajjwal1/bert-tiny',
    name: 'BERT-tiny',
    kind: 'encoder',
    size: '17 MB',
    suits: 'quick experiments, any laptop',
  },
  {
    id: 'prajjwal1/bert-mini',
    name: 'BERT-mini',
    kind: 'encoder',
    size: '45 MB',
    suits: 'small datasets, fast training',
  },
  {
    id: 'sentence-transformers/all-MiniLM-L6-v2',
    name: 'MiniLM-L6',
    kind: 'encoder',
    size: '91 MB',
    suits: 'good accuracy per second, short texts',
  },
  {
    id: 'distilbert-base-uncased',
    name: 'DistilBERT',
    kind: 'encoder',
    size: '268 MB',
    suits: 'strong English baseline',
  },
  {
    id: 'FacebookAI/roberta-base',
    name: 'RoBERTa-base',
    kind: 'encoder',
    size: '499 MB',
    suits: 'best accuracy, needs a GPU',
  },
  {
    id: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    name: 'SmolLM2-135M-Instruct',
    kind: 'decoder',
    size: '269 MB',
    suits: 'a small chat model, any laptop',
  },
  {
    id: 'distilbert/distilgpt2',
    name: 'DistilGPT-2',
    kind: 'decoder',
    size: '353 MB',
    suits: 'English text continuation',
  },
  {
    id: 'Qwen/Qwen2.5-0.5B-Instruct',
    name: 'Qwen2.5-0.5B-Instruct',
    kind: 'decoder',
    size: '988 MB',
    suits: 'a capable multilingual chat model, needs a GPU',
  },
] as const;
