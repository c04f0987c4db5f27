// The run service: one fine-tuning run, from a built model and its examples to the evaluation of the weights it
// ends with, the same in the app's worker and in the CLI for every task. Where a run happens decides only what is
// around it (where the data comes from; where progress, checkpoints and the trained model go: IndexedDB and
// messages in the worker, files and a progress bar in the CLI), and that comes in as the trainer's hooks. Here:
// the arguments fitted to the data, the untimed WebGPU warm-up pass, the loop with the task, and which weights on
// which examples the final evaluation scores, so the two front ends cannot drift apart on any of these.
import { exportedWeightsPoint } from '../export/final-evaluation';
import type { TaskExample, TrainingTask } from '../tasks/types';
import { resolveTrainingArguments, type TrainingArguments } from '../train/arguments';
import {
  countTrainingSteps,
  trainTask,
  type LogRecord,
  type TrainHooks,
  type TrainResult,
} from '../train/trainer';
import { warmUpTask } from '../train/warm-up';
import type { TrainableModel } from '../train/weights';

/** A run's arguments fitted to its data, with the steps they make. */
export interface RunPlan {
  /** The arguments as set, without evaluations when no validation example is left (nothing to evaluate on). */
  args: TrainingArguments;
  totalSteps: number;
  updatesPerEpoch: number;
}

export function planRun(args: TrainingArguments, trainExamples: number, validationExamples: number): RunPlan {
  const fitted =
    validationExamples > 0 || args.eval_strategy === 'no'
      ? args
      : resolveTrainingArguments({
          ...args,
          eval_strategy: 'no',
          load_best_model_at_end: false,
          early_stopping_patience: undefined,
        });
  const { totalSteps, updatesPerEpoch } = countTrainingSteps(trainExamples, fitted);
  return { args: fitted, totalSteps, updatesPerEpoch };
}

/** Which examples a final evaluation scores: the validation set, else (none left after cleaning) the training set. */
export type EvaluatedOn = 'validation' | 'train';

/** What a task's final evaluation is given. */
export interface ExportedWeights<Model, Example, Details> {
  model: Model;
  examples: readonly Example[];
  on: EvaluatedOn;
  args: TrainingArguments;
  /** The step and epoch the weights come from (the best evaluation's when load_best_model_at_end restored them). */
  at: { step: number; epoch: number };
  /** The run's own evaluation of exactly these weights, when it made one (reusing it saves a pass). */
  last?: { details: Details; record: LogRecord };
}

/** A task's evaluation of the weights a run ends with, in the shape its export and results show. */
export type ExportedWeightsEvaluator<Model, Example, Details, Final> = (
  weights: ExportedWeights<Model, Example, Details>,
) => Promise<Final>;

export interface FineTuneRequest<Model extends TrainableModel, Example extends TaskExample, Details, Final> {
  task: TrainingTask<Model, Example, Details>;
  /** Built, with its LoRA adapters attached and, for a continuation, the earlier run's weights. */
  model: Model;
  train: readonly Example[];
  validation: readonly Example[];
  /** planRun's arguments (front ends may add their own checkpoint schedule). */
  args: TrainingArguments;
  /** The backend it trains on: on webgpu one untimed pass first compiles the shaders. */
  backend: string;
  /** Progress, checkpoints, the stop signal and the checkpoint to resume from, as the front end keeps them. */
  hooks: Omit<TrainHooks<Details>, 'onEvaluate'>;
  /** Told when the warm-up pass starts (webgpu only) and when training starts. */
  onPhase?: (phase: 'warming-up' | 'training') => void;
  evaluateExported: ExportedWeightsEvaluator<Model, Example, Details, Final>;
}

export interface FineTuned<Final> {
  result: TrainResult;
  evaluatedOn: EvaluatedOn;
  /**
   * The final evaluation of the weights the model now holds. Not made by fineTune itself: a paused run is
   * evaluated when it ends, and an interrupted CLI run not at all.
   */
  evaluate(): Promise<Final>;
}

export async function fineTune<Model extends TrainableModel, Example extends TaskExample, Details, Final>(
  request: FineTuneRequest<Model, Example, Details, Final>,
): Promise<FineTuned<Final>> {
  const { task, model, train, validation, args, hooks } = request;
  if (request.backend === 'webgpu') {
    request.onPhase?.('warming-up');
    await warmUpTask(task, model, train, args);
  }
  request.onPhase?.('training');
  let last: { details: Details; record: LogRecord } | undefined;
  const result = await trainTask(
    task,
    model,
    { train, eval: validation.length > 0 ? validation : undefined },
    args,
    {
      ...hooks,
      onEvaluate: (details, record) => {
        last = { details, record };
      },
    },
  );
  const on: EvaluatedOn = validation.length > 0 ? 'validation' : 'train';
  return {
    result,
    evaluatedOn: on,
    evaluate: () => {
      const at = exportedWeightsPoint(result.logHistory, args.load_best_model_at_end, result.bestStep);
      return request.evaluateExported({
        model,
        examples: on === 'validation' ? validation : train,
        on,
        args,
        at,
        last: last?.record.step === at.step ? last : undefined,
      });
    },
  };
}
