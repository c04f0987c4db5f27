// The five steps of a fine-tuning session, in order; later steps fill their own panels.
export const STEPS = [
  {
    id: 'data',
    title: 'Data',
    summary: 'Drop a labelled text dataset: CSV, TSV, JSON, JSONL, Parquet or TXT.',
  },
  {
    id: 'model',
    title: 'Model',
    summary: 'Pick a small pre-trained model from the Hugging Face Hub or drop its folder.',
  },
  // The page adds where it trains (your GPU only when it is one: BackendStatus's whereItTrains).
  { id: 'train', title: 'Train', summary: 'Set the hyper-parameters and fine-tune the model' },
  {
    id: 'evaluate',
    title: 'Evaluate',
    summary: 'See per-class scores, the confusion matrix and the mistakes.',
  },
  {
    id: 'export',
    title: 'Export',
    summary: 'Download a model that Python transformers and transformers.js load.',
  },
] as const;

export type StepId = (typeof STEPS)[number]['id'];

export function Stepper({ current, onSelect }: { current: StepId; onSelect: (step: StepId) => void }) {
  return (
    <nav aria-label="Steps">
      <ol className="stepper">
        {STEPS.map((step, index) => (
          <li key={step.id}>
            <button
              type="button"
              aria-current={step.id === current ? 'step' : undefined}
              onClick={() => onSelect(step.id)}
            >
              <span className="step-number">{index + 1}</span> {step.title}
            </button>
          </li>
        ))}
      </ol>
    </nav>
  );
}
