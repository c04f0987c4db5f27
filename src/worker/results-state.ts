// The classifier the results requests (predict, evaluate, export) act on. The training session registers its
// trained classifier here when a run ends (or pauses with usable weights); the "use the loaded model as it
// is" request registers a checkpoint's own head. One model at a time: registering replaces the previous one.
import type { TrainingRecord } from '../core/storage/run-types';
import type { Example } from '../core/data/prepare';
import type { SequenceClassifier } from '../core/models/types';
import type { TextTokenizer } from '../core/tokenize/tokenizer';
import type { LoadedModel } from './model-session';
import type { EvaluationDetails, ResultsModelInfo, WeightsPoint } from './results-types';

export type { TrainingRecord };

export interface ResultsModel {
  classifier: SequenceClassifier;
  tokenizer: TextTokenizer;
  /** Labels in training order: label i is logit i. */
  labels: string[];
  /** Truncation length used in training (and so for predictions). */
  maxLength: number;
  /** The base model as loaded (config, tokenizer files, name): the export copies its files. */
  base: LoadedModel;
  /** The Hub id and revision the base model came from, when it came from the Hub. */
  hubId?: string;
  revision?: string;
  /** Whether examples are pairs of texts. */
  pairs: boolean;
  origin: ResultsModelInfo['origin'];
  /** The validation examples (labels index into `labels`), for Evaluate. */
  validation?: Example[];
  training?: TrainingRecord;
  /** Whether results-state disposes the classifier when it is replaced (true for ones it built itself). */
  owned?: boolean;
  /** The stored run whose model this is, and when its weights were stored (the download's file dates). */
  run?: { id: string; name: string; step: number; savedAt?: number };
}

interface State {
  model: ResultsModel;
  /** The latest Evaluate details of this model, reused by the export when the trainer left none. */
  evaluation?: EvaluationDetails;
}

let state: State | undefined;
let registrations = 0;

/** Called by the training session with its trained classifier (and by the results handler for as-loaded use). */
export function setResultsModel(model: ResultsModel): void {
  if (state?.model.owned && state.model.classifier !== model.classifier) state.model.classifier.dispose();
  if (model.labels.length !== model.classifier.numLabels) {
    throw new Error(
      `setResultsModel: ${model.labels.length} labels for a classifier with ${model.classifier.numLabels} outputs`,
    );
  }
  registrations += 1;
  state = { model };
}

/** Forgets the model (e.g. before the training session disposes it). */
export function clearResultsModel(): void {
  if (state?.model.owned) state.model.classifier.dispose();
  state = undefined;
}

export function resultsModel(): ResultsModel | undefined {
  return state?.model;
}

export function setLastEvaluation(details: EvaluationDetails): void {
  if (state) state.evaluation = details;
}

export function lastEvaluation(): EvaluationDetails | undefined {
  return state?.evaluation;
}

export function resultsInfo(): ResultsModelInfo | null {
  if (!state) return null;
  const { model } = state;
  return {
    name: model.base.facts.name,
    labels: [...model.labels],
    pairs: model.pairs,
    origin: model.origin,
    hasValidation: (model.validation?.length ?? 0) > 0,
    ...(model.classifier.lora
      ? {
          lora: {
            r: model.classifier.lora.config.r,
            lora_alpha: model.classifier.lora.config.lora_alpha,
            target_modules: [...model.classifier.lora.targetNames],
          },
        }
      : {}),
    registration: registrations,
    ...(model.run ? { run: { ...model.run } } : {}),
    ...(model.run ? { weights: weightsPoint(model) } : {}),
  };
}

/**
 * The step of the weights a trained model holds: the final evaluation is labelled with it (see
 * exportedWeightsPoint); it is the best one when load_best_model_at_end restored an earlier step.
 */
function weightsPoint(model: ResultsModel): WeightsPoint {
  const last = model.run?.step ?? 0;
  const step = model.training?.finalEvaluation?.step ?? last;
  const restored = model.training?.hyperparameters.load_best_model_at_end === true;
  return { kind: restored && step !== last ? 'best' : 'last', step };
}
