// Plain data that the results panels (Evaluate, Playground, Export) and the training worker exchange.
// No tensors: every field is a number, a string or an array of them, cheap to post across the worker boundary.
import type { ClassMetrics } from '../core/export/types';

/** What the page shows about the classifier the worker holds for results. */
export interface ResultsModelInfo {
  /** The model as the page names it (the base model's name). */
  name: string;
  /** The labels in training order: label i is logit i. */
  labels: string[];
  /** Whether the classifier reads pairs of texts (the dataset had a second text column). */
  pairs: boolean;
  /** `trained` after a training run; `as-loaded` for a checkpoint's own head used unchanged. */
  origin: 'trained' | 'as-loaded';
  /** Whether a validation set is registered, so Evaluate can run. */
  hasValidation: boolean;
  /** Set when the classifier carries LoRA adapters: the export offers adapter / merged / both. */
  lora?: { r: number; lora_alpha: number; target_modules: string[] };
  /** Counts registrations, so the page can tell a newly trained model from the one it already evaluated. */
  registration: number;
  /** The stored run whose model this is (trained here or opened from the run list). */
  run?: { id: string; name: string; step: number };
  /** Which weights the classifier holds: the best evaluation's (load_best_model_at_end) or the last step's. */
  weights?: WeightsPoint;
}

/** The step whose weights a figure describes, as the page names it: "best, step 19" / "last, step 57". */
export interface WeightsPoint {
  kind: 'best' | 'last';
  step: number;
}

/** One label's scores (the export's own shape). */
export type ClassRow = ClassMetrics;

export interface Misclassified {
  /** Row index in the validation set. */
  index: number;
  text: string;
  text2?: string;
  trueLabel: string;
  predictedLabel: string;
  /** The predicted class's probability. */
  confidence: number;
}

export interface EvaluationDetails {
  /** Where the examples came from (the validation split, or a file's name). */
  source: string;
  examples: number;
  accuracy: number;
  macroF1: number;
  weightedF1: number;
  loss: number;
  labels: string[];
  perClass: ClassRow[];
  /** confusion[true][predicted], in the label order. */
  confusion: number[][];
  /** Every misclassified example, most confident mistakes first. */
  misclassified: Misclassified[];
}
