// The training loop, one readable pass in the spirit of nanoGPT's train.py, with the transformers Trainer's
// recipe: shuffle with the seed, batch with dynamic padding, forward, loss, gradients (of the mode's weights),
// accumulate, clip, AdamW, schedule, log; evaluate on schedule; early stopping; best model; checkpoints.
// Everything a resume needs (weights, moments, position in the data order, RNG state) is in TrainerCheckpoint.
// What depends on the task (collation, loss, evaluation) comes from the TrainingTask it is given (core/tasks).
import * as tf from '@tensorflow/tfjs';

import type { TensorMap } from '../hub/tensors';
import {
  bestModelRule,
  earlyStoppingCheck,
  isImprovement,
  metricValue,
  type EarlyStoppingState,
} from '../metrics/best-model';
import type { ClassificationMetrics } from '../metrics/classification';
import type { SequenceClassifier } from '../models/types';
import { createRng, nextSeed, type RngState } from '../random';
import { sequenceClassificationTask } from '../tasks/sequence-classification';
import type { TaskExample, TrainingTask } from '../tasks/types';
import { AdamW, type AdamWState } from './adamw';
import { resolveTrainingArguments, type TrainingArguments } from './arguments';
import { countTrainingSteps } from './steps';

// The step count lives in a module without tfjs (the page shows it before a run); callers keep importing it here.
export { countTrainingSteps };
import { epochBatches, type TokenizedExample } from './batching';
import { clipByGlobalNorm } from './clip';
import {
  describePlan,
  measureStepCost,
  planMicroBatches,
  splitBatch,
  stepMemoryBudget,
  type MicroBatchPlan,
} from './micro-batches';
import { createSchedule, getWarmupSteps } from './schedules';
import { restoreWeights, snapshotWeights, trainableVariables, type TrainableModel } from './weights';

/** One entry of transformers' `trainer_state.json` log_history: a training log, an evaluation, or the summary. */
export type LogRecord = Record<string, number> & { step: number; epoch: number };

export interface TrainerCheckpoint {
  format: 'webtune-trainer-checkpoint';
  version: 1;
  weights: TensorMap;
  optimizer: AdamWState;
  /** Optimizer steps done. */
  globalStep: number;
  /** The epoch in progress (0-based) and how many of its micro-batches are done. */
  epoch: number;
  batchInEpoch: number;
  /** The generator's state when this epoch's order was drawn, and now. */
  epochRngState: RngState;
  rngState: RngState;
  logHistory: LogRecord[];
  /** Running sums behind the next log record and the final train_loss. */
  lossSinceLog: number;
  stepsSinceLog: number;
  trainLossSum: number;
  bestMetric?: number;
  bestStep?: number;
  bestWeights?: TensorMap;
  earlyStopping: EarlyStoppingState;
  /** The arguments of the run, to refuse resuming with a different recipe. */
  args: TrainingArguments;
}

/** Something that says "stop": an AbortSignal or any object with `aborted`. */
export interface StopSignal {
  readonly aborted: boolean;
}

export interface TrainHooks<Details = ClassificationMetrics> {
  /** Every log_history record, as it is made (training logs, evaluations, the final summary). Small objects. */
  onLog?: (record: LogRecord) => void;
  /** Each evaluation's full result (for classification: per-class scores, confusion matrix). */
  onEvaluate?: (details: Details, record: LogRecord) => void;
  /**
   * A checkpoint after each evaluation, every save_steps, every save_seconds of training and when stopped; store
   * it (IndexedDB, a folder). Training waits for the returned promise, so a slow store should queue the write.
   */
  onCheckpoint?: (checkpoint: TrainerCheckpoint) => void | Promise<void>;
  /** Checked after every optimizer step: when set, the run saves a checkpoint and returns (pause or stop). */
  signal?: StopSignal;
  /** Continue a run from this checkpoint instead of starting afresh. */
  resumeFrom?: TrainerCheckpoint;
  /** Messages for people, e.g. that a batch runs as micro-batches because it does not fit in memory. */
  onNotice?: (message: string) => void;
  /**
   * The bytes a step may use (default: the wasm heap's 4 GiB on wasm, 4 GiB on webgpu, no limit on cpu); a
   * batch that does not fit runs as micro-batches with gradient accumulation (micro-batches.ts).
   */
  memoryBudgetBytes?: number;
  /**
   * Which weights weight decay applies to (AdamWOptions.decays); transformers' Trainer rule by default. A bare
   * torch.optim.AdamW over model.parameters() decays every one (`() => true`), as reference runs may.
   */
  weightDecayFilter?: (name: string) => boolean;
}

export interface TrainData<Example extends TaskExample = TokenizedExample> {
  train: readonly Example[];
  eval?: readonly Example[];
}

export interface TrainResult {
  /** completed: all epochs; early-stopped: patience ran out; stopped: the signal asked (see `checkpoint`). */
  status: 'completed' | 'early-stopped' | 'stopped';
  globalStep: number;
  logHistory: LogRecord[];
  bestMetric?: number;
  bestStep?: number;
  /** The checkpoint made when stopped by the signal, to resume from. */
  checkpoint?: TrainerCheckpoint;
}

/** The loss or the gradient norm became NaN or Inf: the update was not applied, `checkpoint` is the last good state. */
export class TrainingDivergedError extends Error {
  constructor(
    message: string,
    readonly checkpoint: TrainerCheckpoint,
  ) {
    super(message);
    this.name = 'TrainingDivergedError';
  }
}

/**
 * The arguments that fix the data order and the optimizer's shape must not change across a resume; the rest
 * (learning rate, schedule, epochs, evaluation) may, as with the Trainer, at the cost of exactness.
 */
function checkResumable(saved: TrainingArguments, args: TrainingArguments): void {
  const mustMatch = [
    'seed',
    'per_device_train_batch_size',
    'gradient_accumulation_steps',
    'mode',
    'group_by_length',
  ] as const;
  for (const k of mustMatch)
    if (saved[k] !== args[k])
      throw new Error(
        `Cannot resume: the checkpoint was made with ${k}=${saved[k]}, this run has ${k}=${args[k]}`,
      );
}

/** Fine-tunes a sequence classifier: trainTask with the sequence-classification task. */
export async function train(
  model: SequenceClassifier,
  data: TrainData,
  options: Partial<TrainingArguments> = {},
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  return trainTask(sequenceClassificationTask, model, data, options, hooks);
}

/** The loop, for any task: `task` collates the batches, computes the loss and evaluates. */
export async function trainTask<Model extends TrainableModel, Example extends TaskExample, Details>(
  task: TrainingTask<Model, Example, Details>,
  model: Model,
  data: TrainData<Example>,
  options: Partial<TrainingArguments> = {},
  hooks: TrainHooks<Details> = {},
): Promise<TrainResult> {
  const args = resolveTrainingArguments(options);
  const { train: trainSet, eval: evalSet } = data;
  if (trainSet.length === 0) throw new Error('The training set is empty');
  task.checkExamples(model, trainSet, 'Training');
  if (evalSet) task.checkExamples(model, evalSet, 'Evaluation');
  if (args.eval_strategy !== 'no' && (!evalSet || evalSet.length === 0))
    throw new Error(`eval_strategy "${args.eval_strategy}" needs an evaluation set`);
  const ga = args.gradient_accumulation_steps;

  // Steps, schedule, optimizer.
  const { totalSteps } = countTrainingSteps(trainSet.length, args);
  const warmup = getWarmupSteps(totalSteps, args.warmup_ratio, args.warmup_steps);
  const lrAt = createSchedule(args.learning_rate, {
    type: args.lr_scheduler_type,
    numWarmupSteps: warmup,
    numTrainingSteps: totalSteps,
  });
  const params = trainableVariables(model, args.mode);
  // What checkpoints and the best model hold: everything, or with LoRA only what trains (the base is frozen).
  const kept = args.mode === 'lora' ? params : model.variables;
  const varList = [...params.values()];
  const keyOfVariable = new Map([...params].map(([key, v]) => [v.name, key]));
  const optimizer = new AdamW(params, { weightDecay: args.weight_decay, decays: hooks.weightDecayFilter });
  const rule = bestModelRule(args.metric_for_best_model, args.greater_is_better);
  const rng = createRng(args.seed);
  const plan = await planMemory(task, model, trainSet, args, varList, hooks.memoryBudgetBytes);
  if (plan.chunks > 1) {
    // A loop, not Math.max(...): spreading a dataset of 10⁵ rows overflows the call stack.
    const longest = trainSet.reduce((n, ex) => Math.max(n, ex.inputIds.length), 0);
    hooks.onNotice?.(describePlan(plan, args.per_device_train_batch_size, longest));
  }

  // Loop state: everything here goes into a checkpoint.
  let globalStep = 0;
  let epoch = 0;
  let batchInEpoch = 0;
  let epochRngState = rng.getState();
  let logHistory: LogRecord[] = [];
  let lossSinceLog = 0;
  let stepsSinceLog = 0;
  let trainLossSum = 0;
  let bestMetric: number | undefined;
  let bestStep: number | undefined;
  let bestWeights: TensorMap | undefined;
  let earlyStopping: EarlyStoppingState = { patienceCounter: 0 };

  const resume = hooks.resumeFrom;
  if (resume) {
    if (resume.format !== 'webtune-trainer-checkpoint' || resume.version !== 1)
      throw new Error('Cannot resume: this is not a WebTune trainer checkpoint of version 1');
    checkResumable(resume.args, args);
    restoreWeights(model, resume.weights, kept);
    optimizer.setState(resume.optimizer);
    ({ globalStep, epoch, batchInEpoch, epochRngState, lossSinceLog, stepsSinceLog, trainLossSum } = resume);
    ({ bestMetric, bestStep, bestWeights } = resume);
    earlyStopping = { ...resume.earlyStopping };
    logHistory = resume.logHistory.map((r) => ({ ...r }));
  }

  const makeCheckpoint = async (rngState = rng.getState()): Promise<TrainerCheckpoint> => ({
    format: 'webtune-trainer-checkpoint',
    version: 1,
    weights: await snapshotWeights(model, kept),
    optimizer: await optimizer.getState(),
    globalStep,
    epoch,
    batchInEpoch,
    epochRngState,
    rngState,
    logHistory: logHistory.map((r) => ({ ...r })),
    lossSinceLog,
    stepsSinceLog,
    trainLossSum,
    bestMetric,
    bestStep,
    bestWeights,
    earlyStopping: { ...earlyStopping },
    args,
  });
  // The time-based checkpoint counts from the last checkpoint of any kind (or the start of this segment).
  let lastCheckpointAt = performance.now();
  const checkpointNow = async (): Promise<TrainerCheckpoint> => {
    lastCheckpointAt = performance.now();
    return makeCheckpoint();
  };
  const log = (record: LogRecord): void => {
    logHistory.push(record);
    hooks.onLog?.(record);
  };

  /** Evaluates, logs, tracks the best model; returns whether early stopping says stop. */
  const evaluateNow = async (epochProgress: number): Promise<boolean> => {
    const result = await task.evaluate(model, evalSet ?? [], args);
    const record: LogRecord = { ...result.record, epoch: epochProgress, step: globalStep };
    log(record);
    hooks.onEvaluate?.(result.details, record);
    const value = metricValue(record, rule);
    let stop = false;
    if (args.early_stopping_patience !== undefined) {
      const check = earlyStoppingCheck(
        earlyStopping,
        value,
        bestMetric,
        rule,
        args.early_stopping_patience,
        args.early_stopping_threshold,
      );
      earlyStopping = check.state;
      stop = check.shouldStop;
    }
    if (isImprovement(value, bestMetric, rule)) {
      bestMetric = value;
      bestStep = globalStep;
      if (args.load_best_model_at_end) bestWeights = await snapshotWeights(model, kept);
    }
    return stop;
  };

  const started = performance.now();
  let lastLogTime = started;
  let samplesSinceLog = 0;
  let samplesSeen = 0;
  let status: TrainResult['status'] = 'completed';

  try {
    // A resumed run redraws its epoch's order from the saved generator state, then continues the stream.
    if (resume) rng.setState(resume.epochRngState);
    let resuming = resume !== undefined;
    while (globalStep < totalSteps) {
      epochRngState = rng.getState();
      const batches = epochBatches(trainSet, args.per_device_train_batch_size, rng, args.group_by_length);
      // Mid-epoch, the saved stream state is past the order's draw; at an epoch boundary (nothing of the epoch
      // done) it is the state the order was drawn from, and the stream simply continues.
      if (resume && resuming && resume.batchInEpoch > 0) rng.setState(resume.rngState);
      resuming = false;

      while (batchInEpoch < batches.length) {
        const group = batches.slice(batchInEpoch, batchInEpoch + ga);
        // Forward and backward on each micro-batch, summing the gradients of loss / (micro-batches in this step):
        // the Trainer divides by its current_gradient_accumulation_steps, smaller for an epoch's last partial step.
        const grads = new Map<string, tf.Tensor>();
        let stepLoss = tf.scalar(0);
        // What each part's mean loss is weighed by: its share of its batch over the batches of the step
        // (per-batch), or its share of the step's loss terms (per-item: the Trainer's num_items_in_batch).
        const stepItems = task.averaging === 'per-item' ? task.lossItems(trainSet, group.flat()) : undefined;
        const stepRngState = rng.getState();
        for (const indices of group) {
          const dropoutSeed = nextSeed(rng);
          // A batch too big for memory runs in parts (the plan above): each part's mean loss weighted by its
          // share of the batch, so the summed gradient is the whole batch's. One seed per batch as before;
          // part p draws its dropout masks from seed + p.
          const parts = splitBatch(indices, plan.microBatchSize);
          parts.forEach((part, p) => {
            const partItems = task.lossItems(trainSet, part);
            const weight =
              stepItems === undefined
                ? partItems / task.lossItems(trainSet, indices) / group.length
                : partItems / Math.max(stepItems, 1);
            const { value, grads: micro } = tf.tidy(() =>
              tf.variableGrads(() => {
                const loss = task.batchLoss(model, trainSet, part, {
                  training: true,
                  dropoutSeed: (dropoutSeed + p) >>> 0,
                  args,
                });
                return (weight === 1 ? loss : loss.mul(weight)) as tf.Scalar;
              }, varList),
            );
            const summed = stepLoss.add(value) as tf.Scalar;
            tf.dispose([stepLoss, value]);
            stepLoss = summed;
            for (const [varName, g] of Object.entries(micro)) {
              if (!g) continue; // a frozen variable: no gradient
              const key = keyOfVariable.get(varName) as string;
              const prev = grads.get(key);
              if (prev) {
                grads.set(key, tf.add(prev, g));
                tf.dispose([prev, g]);
              } else grads.set(key, g);
            }
          });
          samplesSeen += indices.length;
          samplesSinceLog += indices.length;
        }
        const { grads: clipped, totalNorm } = clipByGlobalNorm(grads, args.max_grad_norm);
        // One read per step: the loss (for the log and the NaN check) and the norm, together.
        const both = tf.tidy(() => tf.stack([stepLoss, totalNorm]));
        const [lossValue, gradNorm] = (await both.data()) as unknown as [number, number];
        tf.dispose([both, stepLoss, totalNorm, ...grads.values()]);

        if (!Number.isFinite(lossValue) || !Number.isFinite(gradNorm)) {
          tf.dispose([...clipped.values()]);
          const what = Number.isFinite(lossValue)
            ? `the gradient norm is ${gradNorm}`
            : `the loss is ${lossValue}`;
          throw new TrainingDivergedError(
            `Training stopped at step ${globalStep + 1} (epoch ${epoch + 1}) because ${what}; ` +
              `the weights are kept as they were after step ${globalStep}. Try a lower learning rate.`,
            await makeCheckpoint(stepRngState),
          );
        }
        optimizer.applyGradients(clipped, lrAt(globalStep));
        tf.dispose([...clipped.values()]);
        globalStep += 1;
        batchInEpoch += group.length;
        lossSinceLog += lossValue;
        stepsSinceLog += 1;
        trainLossSum += lossValue;
        const epochProgress = epoch + batchInEpoch / batches.length;

        if (globalStep % args.logging_steps === 0) {
          const now = performance.now();
          log({
            loss: lossSinceLog / stepsSinceLog,
            grad_norm: gradNorm,
            learning_rate: lrAt(globalStep),
            samples_per_second: samplesSinceLog / Math.max((now - lastLogTime) / 1000, 1e-9),
            epoch: epochProgress,
            step: globalStep,
          });
          lossSinceLog = 0;
          stepsSinceLog = 0;
          samplesSinceLog = 0;
          lastLogTime = now;
        }
        const evalDue = args.eval_strategy === 'steps' && globalStep % (args.eval_steps as number) === 0;
        const stopEarly = evalDue && (await evaluateNow(epochProgress));
        const timeDue =
          args.save_seconds > 0 && performance.now() - lastCheckpointAt >= args.save_seconds * 1000;
        if (evalDue || timeDue || (args.save_steps > 0 && globalStep % args.save_steps === 0))
          await hooks.onCheckpoint?.(await checkpointNow());
        if (stopEarly) {
          status = 'early-stopped';
          break;
        }
        if (globalStep >= totalSteps) break;
        if (hooks.signal?.aborted) {
          const checkpoint = await makeCheckpoint();
          await hooks.onCheckpoint?.(checkpoint);
          return { status: 'stopped', globalStep, logHistory, bestMetric, bestStep, checkpoint };
        }
      }
      if (status === 'early-stopped') break;
      const stopEarly =
        args.eval_strategy === 'epoch' && (await evaluateNow(epoch + batchInEpoch / batches.length));
      // The next epoch starts here: its order is drawn from the generator's current state.
      epoch += 1;
      batchInEpoch = 0;
      epochRngState = rng.getState();
      if (args.eval_strategy === 'epoch') await hooks.onCheckpoint?.(await checkpointNow());
      if (stopEarly) {
        status = 'early-stopped';
        break;
      }
      if (hooks.signal?.aborted && globalStep < totalSteps) {
        const checkpoint = await makeCheckpoint();
        await hooks.onCheckpoint?.(checkpoint);
        return { status: 'stopped', globalStep, logHistory, bestMetric, bestStep, checkpoint };
      }
    }
  } finally {
    optimizer.dispose();
  }

  if (args.load_best_model_at_end && bestWeights) restoreWeights(model, bestWeights, kept);
  const seconds = (performance.now() - started) / 1000;
  const lastEpoch = logHistory.at(-1)?.epoch ?? epoch;
  log({
    train_runtime: seconds,
    train_samples_per_second: samplesSeen / Math.max(seconds, 1e-9),
    train_loss: trainLossSum / Math.max(globalStep, 1),
    epoch: lastEpoch,
    step: globalStep,
  });
  return { status, globalStep, logHistory, bestMetric, bestStep };
}

/**
 * Measures what one forward + backward pass costs per example at the training set's longest row and fits the
 * batch to the backend's memory (micro-batches.ts). Free where there is no limit (cpu) or the budget is ample.
 */
async function planMemory<Model extends TrainableModel, Example extends TaskExample, Details>(
  task: TrainingTask<Model, Example, Details>,
  model: Model,
  trainSet: readonly Example[],
  args: TrainingArguments,
  varList: tf.Variable[],
  budgetBytes: number | undefined,
): Promise<MicroBatchPlan> {
  const batchSize = args.per_device_train_batch_size;
  const budget = stepMemoryBudget(budgetBytes);
  const whole = {
    microBatchSize: batchSize,
    chunks: 1,
    estimatedBytes: 0,
    wholeBatchBytes: 0,
    budgetBytes: budget,
  };
  if (budget === Infinity || varList.length === 0) return whole;
  let longest = 0;
  trainSet.forEach((ex, i) => {
    if (ex.inputIds.length > (trainSet[longest] as Example).inputIds.length) longest = i;
  });
  const cost = await measureStepCost((n) =>
    tf.tidy(() => {
      const indices = new Array<number>(n).fill(longest);
      // The probe's dropout seed is fixed: it must not move the run's generator.
      tf.variableGrads(
        () => task.batchLoss(model, trainSet, indices, { training: true, dropoutSeed: 0, args }),
        varList,
      );
    }),
  );
  return planMicroBatches(batchSize, cost, budget);
}
