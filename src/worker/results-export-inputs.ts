// Puts together the export's inputs from what the worker holds: the base model as loaded, the labels, the
// weights read off the device, and what the training run (or, for a checkpoint used as it is, the Evaluate
// step) knows. Plain data in, plain data out: no tfjs, so Node tests check it directly.
import type {
  DatasetSummary,
  ExportInputs,
  FinalEvaluation,
  TrainingHyperparameters,
} from '../core/export/types';
import { WEBTUNE_VERSION } from '../core/export/version';
import type { TensorMap } from '../core/hub/tensors';
import type { Architecture, HFConfig } from '../core/models/types';
import type { TrainingRecord } from './results-state';
import type { EvaluationDetails } from './results-types';

export interface ExportFacts {
  modelName: string;
  base: {
    name: string;
    hubId?: string;
    revision?: string;
    architecture: Architecture;
    config: HFConfig;
    /** The base model's tokenizer files as text, by name. */
    tokenizerFiles: Readonly<Record<string, string>>;
  };
  labels: string[];
  weights: TensorMap;
  training?: TrainingRecord;
  /** The latest Evaluate details, for a model with no trainer evaluation. */
  evaluation?: EvaluationDetails;
  backend: string;
  tfjsVersion?: string;
}

export class ExportNotReadyError extends Error {}

/** A folder name from a model name: its last path segment, with anything but letters, digits, . _ - as -. */
export function exportModelName(baseName: string, origin: 'trained' | 'as-loaded'): string {
  const last = baseName.split('/').filter(Boolean).at(-1) ?? 'model';
  const safe = last
    .replace(/^the dropped folder\s*/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[.-]+/, '');
  const stem = safe || 'model';
  return origin === 'trained' ? `${stem}-finetuned` : stem;
}

export function assembleExportInputs(facts: ExportFacts): ExportInputs {
  const { base, labels, training, evaluation } = facts;
  const baseFiles = new Map<string, Uint8Array>();
  const encoder = new TextEncoder();
  for (const [name, text] of Object.entries(base.tokenizerFiles)) baseFiles.set(name, encoder.encode(text));
  baseFiles.set('config.json', encoder.encode(JSON.stringify(base.config, null, 2)));
  const lastStep = training?.logHistory.at(-1);
  const finalEvaluation =
    training?.finalEvaluation ??
    (evaluation && finalFromDetails(evaluation, labels, lastStep?.step ?? 0, lastStep?.epoch ?? 0));
  if (!finalEvaluation) {
    throw new ExportNotReadyError(
      `Model ${base.name} has no evaluation yet: run Evaluate first, because the model card reports the final results`,
    );
  }
  return {
    modelName: facts.modelName,
    baseModel: {
      ...(base.hubId ? { hubId: base.hubId, revision: base.revision } : { displayName: base.name }),
      architecture: base.architecture,
      config: base.config,
      files: baseFiles,
    },
    labels: [...labels],
    weights: facts.weights,
    dataset: training?.dataset ?? evaluationDataset(evaluation as EvaluationDetails),
    hyperparameters: training?.hyperparameters ?? notFineTuned(),
    logHistory: training?.logHistory ?? [],
    finalEvaluation,
    run: training?.run ?? {
      backend: facts.backend,
      webtuneVersion: WEBTUNE_VERSION,
      ...(facts.tfjsVersion ? { tfjsVersion: facts.tfjsVersion } : {}),
    },
  };
}

/** The Evaluate step's figures in the export's FinalEvaluation form (same labels, same order). */
export function finalFromDetails(
  details: EvaluationDetails,
  labels: readonly string[],
  step: number,
  epoch: number,
): FinalEvaluation {
  if (details.labels.join('\u0000') !== labels.join('\u0000')) {
    throw new ExportNotReadyError(
      `The evaluation lists the labels ${details.labels.join(', ')} but the model has ${labels.join(', ')}`,
    );
  }
  return {
    step,
    epoch,
    accuracy: details.accuracy,
    macroF1: details.macroF1,
    weightedF1: details.weightedF1,
    loss: details.loss,
    perClass: details.perClass.map((r) => ({ ...r })),
    confusionMatrix: details.confusion.map((r) => [...r]),
  };
}

/** A checkpoint used as it is was trained elsewhere: the card describes only the set it was evaluated on. */
function evaluationDataset(details: EvaluationDetails): DatasetSummary {
  return {
    fileName: details.source,
    textColumns: ['text'],
    labelColumn: 'label',
    rowsRead: details.examples,
    trainRows: 0,
    validationRows: details.examples,
    split: { kind: 'file', validationFileName: details.source },
    labelCounts: details.perClass.map((r) => ({ label: r.label, train: 0, validation: r.support })),
    issues: [],
  };
}

/** No training happened in WebTune: zero epochs and steps, said plainly rather than with made-up defaults. */
function notFineTuned(): TrainingHyperparameters {
  return {
    learning_rate: 0,
    num_train_epochs: 0,
    max_steps: 0,
    per_device_train_batch_size: 0,
    weight_decay: 0,
    lr_scheduler_type: 'none',
    seed: 0,
    fine_tuned_in_webtune: false,
  };
}
