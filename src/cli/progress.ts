// A one-line progress bar on stderr: optimizer steps done of all, the last logged loss, samples per second
// and the estimated time left. Redrawn in place on a terminal at most ten times a second; elsewhere (a log
// file, a test) a plain line now and then, so logs stay readable.

export interface ProgressState {
  step: number;
  totalSteps: number;
  epoch: number;
  loss?: number;
  samplesPerSecond?: number;
  /** Seconds left, when known. */
  etaSeconds?: number;
  phase: 'training' | 'evaluating';
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const mmss = `${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  return h > 0 ? `${h}:${mmss}` : mmss;
}

export function formatProgress(p: ProgressState, width = 24): string {
  const fraction = p.totalSteps > 0 ? Math.min(1, p.step / p.totalSteps) : 0;
  const filled = Math.round(fraction * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
  const parts = [
    `${bar} step ${p.step}/${p.totalSteps}`,
    `epoch ${p.epoch.toFixed(2)}`,
    `loss ${p.loss === undefined ? '-' : p.loss.toFixed(4)}`,
    `${p.samplesPerSecond === undefined ? '-' : p.samplesPerSecond.toFixed(1)} samples/s`,
    `ETA ${p.etaSeconds === undefined ? '--:--' : formatDuration(p.etaSeconds)}`,
  ];
  if (p.phase === 'evaluating') parts.push('evaluating');
  return parts.join(' | ');
}

export class ProgressBar {
  private lastDraw = 0;
  private lastLineLength = 0;
  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    /** Milliseconds between redraws: 100 on a terminal, 5 s otherwise. */
    private readonly interval = stream.isTTY ? 100 : 5000,
  ) {}

  update(state: ProgressState, force = false): void {
    const now = Date.now();
    if (!force && now - this.lastDraw < this.interval) return;
    this.lastDraw = now;
    const line = formatProgress(state);
    if (this.stream.isTTY) {
      this.stream.write(`\r${line}${' '.repeat(Math.max(0, this.lastLineLength - line.length))}`);
      this.lastLineLength = line.length;
    } else this.stream.write(`${line}\n`);
  }

  /** Ends the bar's line so the next message starts on its own. */
  done(): void {
    if (this.stream.isTTY && this.lastLineLength > 0) this.stream.write('\n');
    this.lastLineLength = 0;
  }

  /** A message on its own line, keeping the bar intact. */
  message(text: string): void {
    this.done();
    this.stream.write(`${text}\n`);
  }
}
