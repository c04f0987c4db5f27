// Small models that fine-tune well in a browser, smallest first. Sizes are the fp32 weights' download.
export const SUGGESTED_MODELS = [
  { id: 'prajjwal1/bert-tiny', name: 'BERT-tiny', size: '17 MB', suits: 'quick experiments, any laptop' },
  { id: 'prajjwal1/bert-mini', name: 'BERT-mini', size: '45 MB', suits: 'small datasets, fast training' },
  {
    id: 'sentence-transformers/all-MiniLM-L6-v2',
    name: 'MiniLM-L6',
    size: '91 MB',
    suits: 'good accuracy per second, short texts',
  },
  { id: 'distilbert-base-uncased', name: 'DistilBERT', size: '268 MB', suits: 'strong English baseline' },
  {
    id: 'FacebookAI/roberta-base',
    name: 'RoBERTa-base',
    size: '499 MB',
    suits: 'best accuracy, needs a GPU',
  },
] as const;
