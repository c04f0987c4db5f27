// How `npm run train` runs the trainer, whatever the task: Ctrl-C stops after the current step with a
// checkpoint (twice quits at once), a diverged run leaves its last good checkpoint in --out, and a stopped or
// early-stopped run says so. One place for the classification and causal-LM commands.
import {
  TrainingDivergedError,
  type TrainerCheckpoint,
  type TrainHooks,
  type TrainResult,
} from '../core/train/trainer';
import type { TrainingArguments } from '../core/train/arguments';
import { checkpointPath, saveCheckpoint } from './checkpoint-file';
import { CliError } from './fail';
import type { TrainProgress } from './train-progress';

const say = (text: string) => process.stderr.write(`${text}\n`);

/**
 * Refuses evaluations asked for (or the default with --validation) when cleaning left no validation example,
 * rather than training without them: the person gave a validation file and would otherwise get no eval_loss.
 */
export function refuseEvaluationsWithoutValidation(
  strategy: TrainingArguments['eval_strategy'],
  validationExamples: number,
): void {
  if (validationExamples === 0 && strategy !== 'no')
    throw new CliError(
      `--eval-strategy ${strategy}: no validation example is left after cleaning (a validation row that repeats a training row is dropped as a duplicate)`,
    );
}

/** The hooks the CLI gives every run. */
export type CliTrainHooks = Required<Pick<TrainHooks, 'signal' | 'onLog' | 'onNotice' | 'onCheckpoint'>> & {
  resumeFrom?: TrainerCheckpoint;
};

/** Runs `train` with the CLI's hooks; undefined when Ctrl-C stopped it (exit 130, resumable with --resume). */
export async function trainUnderCli<Run extends { result: TrainResult }>(
  progress: TrainProgress,
  outDir: string,
  resumeFrom: TrainerCheckpoint | undefined,
  train: (hooks: CliTrainHooks) => Promise<Run>,
): Promise<Run | undefined> {
  const signal = { aborted: false };
  const onSigint = () => {
    if (signal.aborted) process.exit(130);
    signal.aborted = true;
    progress.bar.message('stopping after this step; the checkpoint is saved (Ctrl-C again to quit now)');
  };
  process.on('SIGINT', onSigint);
  let run;
  try {
    run = await train({
      resumeFrom,
      signal,
      onLog: (record) => progress.onLog(record),
      onNotice: (message) => progress.bar.message(message),
      onCheckpoint: (checkpoint) => saveCheckpoint(outDir, checkpoint),
    });
  } catch (error) {
    progress.finish();
    if (error instanceof TrainingDivergedError) {
      await saveCheckpoint(outDir, error.checkpoint);
      throw new CliError(`${error.message} The last good checkpoint is ${checkpointPath(outDir)}.`);
    }
    throw error;
  } finally {
    process.off('SIGINT', onSigint);
  }
  progress.finish();
  const { result } = run;
  if (result.status === 'stopped') {
    say(`stopped at step ${result.globalStep}; continue with the same command and --resume`);
    return undefined;
  }
  if (result.status === 'early-stopped') say(`early stopping at step ${result.globalStep}`);
  return run;
}
