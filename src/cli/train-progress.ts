// Feeds the progress bar from a training run. The trainer reports every logging_steps; to move the bar at
// every step, the model's training forward passes are counted (one per micro-batch) through a thin wrapper.
import type { CausalLM } from '../core/models/causal-lm';
import type { SequenceClassifier } from '../core/models/types';
import type { LogRecord } from '../core/train/trainer';
import { ProgressBar } from './progress';

export class TrainProgress {
  private microBatches: number;
  private samples = 0;
  private loss?: number;
  private epoch: number;
  private started = Date.now();
  private evaluating = false;
  private warmingUp = false;
  private readonly firstStep: number;
  readonly bar: ProgressBar;

  constructor(
    private readonly totalSteps: number,
    private readonly accumulation: number,
    private readonly updatesPerEpoch: number,
    startStep: number,
    bar = new ProgressBar(),
  ) {
    this.microBatches = startStep * accumulation;
    this.firstStep = startStep;
    this.epoch = startStep / updatesPerEpoch;
    this.bar = bar;
  }

  private get step(): number {
    return Math.min(this.totalSteps, Math.floor(this.microBatches / this.accumulation));
  }

  private draw(force = false): void {
    const seconds = (Date.now() - this.started) / 1000;
    const rate = this.samples > 0 && seconds > 0 ? this.samples / seconds : undefined;
    const stepsDone = this.step;
    const stepRate = seconds > 0 ? (stepsDone - this.firstStep) / seconds : 0;
    this.bar.update(
      {
        step: stepsDone,
        totalSteps: this.totalSteps,
        epoch: this.epoch,
        loss: this.loss,
        samplesPerSecond: rate,
        etaSeconds: stepRate > 0 ? (this.totalSteps - stepsDone) / stepRate : undefined,
        phase: this.evaluating ? 'evaluating' : 'training',
      },
      force,
    );
  }

  /**
   * The run service's phases (core/run/fine-tune.ts): webgpu's untimed warm-up pass is said and not counted, and
   * the rates are timed from the first step.
   */
  onPhase(phase: 'warming-up' | 'training'): void {
    this.warmingUp = phase === 'warming-up';
    if (this.warmingUp) this.bar.message('webgpu: compiling the shaders (one untimed step)');
    else this.started = Date.now();
  }

  /** The model with its training forward passes counted; everything else is the model itself. */
  watch(model: SequenceClassifier): SequenceClassifier {
    return {
      ...model,
      forward: (inputs, options) => {
        this.pass(inputs.inputIds.shape[0], options.training);
        return model.forward(inputs, options);
      },
    };
  }

  /** A causal LM with its training loss passes counted (its forward and loss in one). */
  watchCausalLm(model: CausalLM): CausalLM {
    return {
      ...model,
      loss: (inputs, labels, options) => {
        this.pass(inputs.inputIds.shape[0], options.training);
        return model.loss(inputs, labels, options);
      },
    };
  }

  private pass(rows: number, training: boolean): void {
    if (this.warmingUp) return;
    if (training) {
      // Drawn before counting this micro-batch: the figures are of finished work only.
      this.evaluating = false;
      this.draw();
      this.microBatches += 1;
      this.samples += rows;
      this.epoch = Math.max(
        this.epoch,
        Math.floor(this.microBatches / this.accumulation) / this.updatesPerEpoch,
      );
    } else if (!this.evaluating) {
      this.evaluating = true;
      this.draw(true);
    }
  }

  onLog(record: LogRecord): void {
    if (record.loss !== undefined) this.loss = record.loss;
    if (record.train_loss !== undefined) this.loss = record.train_loss;
    this.epoch = record.epoch;
    if (record.eval_loss !== undefined) {
      this.evaluating = false;
      const f1 = record.eval_f1 === undefined ? '' : ` eval_f1 ${record.eval_f1.toFixed(4)}`;
      const scores =
        record.eval_perplexity !== undefined
          ? `perplexity ${record.eval_perplexity.toFixed(2)}${generationScores(record)}`
          : `eval_accuracy ${(record.eval_accuracy ?? NaN).toFixed(4)}${f1}`;
      this.bar.message(
        `step ${record.step} epoch ${record.epoch.toFixed(2)}: eval_loss ${record.eval_loss.toFixed(4)} ${scores}`,
      );
    }
    this.draw();
  }

  finish(): void {
    this.draw(true);
    this.bar.done();
  }
}

/** An instruction or chat run's evaluation also scores greedy completions of the validation prompts. */
function generationScores(record: Record<string, number>): string {
  return record.eval_bleu === undefined || record.eval_rougeL === undefined
    ? ''
    : ` eval_bleu ${record.eval_bleu.toFixed(2)} eval_rougeL ${record.eval_rougeL.toFixed(4)}`;
}
