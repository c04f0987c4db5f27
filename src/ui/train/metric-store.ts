// The Watch step's numbers, column by column, outside React: log records are appended as they arrive and the
// charts read the same arrays (uPlot's data layout) on their next animation frame. Appending is O(1), so a run
// of 50,000 logged steps costs no re-render of React and no copy.
import { noteEpochEnd } from './chart-scale';

/** One log_history record, as the worker posts it. */
export type LogEntry = Record<string, number> & { step: number; epoch: number };

/** TensorBoard's smoothing: an exponential moving average, debiased so the first points are not pulled to 0. */
export class Smoother {
  private last = 0;
  private count = 0;
  constructor(readonly weight = 0.9) {}
  next(value: number): number {
    this.count += 1;
    this.last = this.last * this.weight + (1 - this.weight) * value;
    return this.last / (1 - this.weight ** this.count);
  }
}

export class MetricStore {
  /** Loss chart: steps with a training log or an evaluation; null where a series has no point. */
  readonly loss: [number[], (number | null)[], (number | null)[], (number | null)[]] = [[], [], [], []];
  /** Training logs only: step, learning rate, samples per second. */
  readonly train: [number[], number[], number[]] = [[], [], []];
  /** Evaluations: step, accuracy, macro F1. */
  readonly evals: [number[], number[], number[]] = [[], [], []];
  /** A causal LM's evaluations: step, perplexity (exp of eval_loss). */
  readonly perplexity: [number[], number[]] = [[], []];
  /** Instruction and chat runs' evaluations: step, BLEU (0–100) and ROUGE-L (0–1, shown ×100). */
  readonly generation: [number[], number[], number[]] = [[], [], []];
  /** The step at which each epoch ended (epoch k at index k - 1), for the charts' epoch markers. */
  readonly epochEnds: number[] = [];
  /** Each evaluation (step, eval_loss) and the smoothed training loss then, for the overfitting check. */
  readonly evalPoints: { step: number; evalLoss: number; trainLoss?: number }[] = [];
  latestTrain?: LogEntry;
  latestEval?: LogEntry;
  summary?: LogEntry;
  version = 0;
  private smoother = new Smoother();
  private listeners = new Set<() => void>();

  add(record: LogEntry): void {
    if ('loss' in record) this.addTrain(record);
    else if ('eval_loss' in record) this.addEval(record);
    else if ('train_runtime' in record) this.summary = record;
    this.changed();
  }

  addAll(records: readonly LogEntry[]): void {
    for (const r of records) {
      if ('loss' in r) this.addTrain(r);
      else if ('eval_loss' in r) this.addEval(r);
      else if ('train_runtime' in r) this.summary = r;
    }
    this.changed();
  }

  clear(): void {
    for (const columns of [this.loss, this.train, this.evals, this.perplexity, this.generation])
      for (const c of columns) c.length = 0;
    this.evalPoints.length = 0;
    this.epochEnds.length = 0;
    this.latestTrain = this.latestEval = this.summary = undefined;
    this.smoother = new Smoother();
    this.changed();
  }

  /** Called after every change; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(): void {
    this.version += 1;
    for (const l of this.listeners) l();
  }

  private addTrain(r: LogEntry): void {
    const loss = r.loss as number;
    const smooth = this.smoother.next(loss);
    const [xs, raw, smoothed, evalLoss] = this.loss;
    xs.push(r.step);
    raw.push(loss);
    smoothed.push(smooth);
    evalLoss.push(null);
    this.train[0].push(r.step);
    this.train[1].push(r.learning_rate ?? 0);
    this.train[2].push(r.samples_per_second ?? 0);
    noteEpochEnd(this.epochEnds, r.step, r.epoch);
    this.latestTrain = r;
  }

  private addEval(r: LogEntry): void {
    const [xs, raw, smoothed, evalLoss] = this.loss;
    // The trainer logs a step's training record before its evaluation: share the point when the steps agree.
    if (xs.length > 0 && xs[xs.length - 1] === r.step) evalLoss[evalLoss.length - 1] = r.eval_loss as number;
    else {
      xs.push(r.step);
      raw.push(null);
      smoothed.push(null);
      evalLoss.push(r.eval_loss as number);
    }
    this.evals[0].push(r.step);
    this.evals[1].push(r.eval_accuracy ?? 0);
    this.evals[2].push(r.eval_f1 ?? 0);
    if (r.eval_perplexity !== undefined) {
      this.perplexity[0].push(r.step);
      this.perplexity[1].push(r.eval_perplexity);
    }
    if (r.eval_bleu !== undefined && r.eval_rougeL !== undefined) {
      this.generation[0].push(r.step);
      this.generation[1].push(r.eval_bleu);
      this.generation[2].push(r.eval_rougeL * 100);
    }
    const lastSmooth = smoothed.findLast((v) => v !== null);
    this.evalPoints.push({
      step: r.step,
      evalLoss: r.eval_loss as number,
      trainLoss: lastSmooth ?? undefined,
    });
    this.latestEval = r;
  }
}

/** The `metrics-latest` text: the latest evaluation's step, epoch, loss, accuracy and macro F1, as JSON. */
export function latestMetricsJson(record: LogEntry | undefined): string {
  if (!record) return '';
  return JSON.stringify({
    step: record.step,
    epoch: record.epoch,
    eval_loss: record.eval_loss,
    eval_accuracy: record.eval_accuracy,
    eval_f1: record.eval_f1,
    // A causal LM's evaluation (undefined for a classifier's, so JSON leaves it out).
    eval_perplexity: record.eval_perplexity,
    eval_bleu: record.eval_bleu,
    eval_rougeL: record.eval_rougeL,
  });
}
