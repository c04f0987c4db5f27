// Runs in Chromium (served by the Vite dev server): mounts the Watch panel, then streams 50,000 training log
// records (and an evaluation every 1,000 steps) into its store at 500 records per frame, as a fast run would,
// and reports the chart canvases before and after (the same elements: the charts are never re-created), the
// points drawn, the placeholders and x ranges of the charts, the epoch ends, and the frame gaps seen meanwhile
// (for the report; not asserted).
import { createElement, createRef, type RefObject } from 'react';
import { createRoot } from 'react-dom/client';
import { DEFAULT_TRAINING_ARGUMENTS } from '../../../src/core/train/arguments';
import type { RunRecord } from '../../../src/core/storage/run-types';
import { MetricStore } from '../../../src/ui/train/metric-store';
import type { RunClock } from '../../../src/ui/train/useTraining';
import { WatchPanel } from '../../../src/ui/train/WatchPanel';

const nextFrame = () => new Promise<number>((r) => requestAnimationFrame(r));

export async function stream50k(total = 50_000, perFrame = 500) {
  const host = document.createElement('div');
  host.style.width = '1200px';
  document.body.append(host);
  const store = new MetricStore();
  const run: RunRecord = {
    id: 'run-50k',
    name: '50k',
    createdAt: 0,
    updatedAt: 0,
    status: 'running',
    modelName: 'm',
    modelSource: { kind: 'files' },
    architecture: 'bert',
    datasetId: 'd',
    datasetName: 'd',
    labels: ['a', 'b'],
    trainExamples: total * 8,
    evalExamples: 100,
    maxLength: 128,
    args: DEFAULT_TRAINING_ARGUMENTS,
    backend: 'wasm',
    totalSteps: total,
    globalStep: 0,
    trainSeconds: 0,
    logCount: 0,
  };
  const clock = createRef<RunClock>() as RefObject<RunClock>;
  clock.current = { elapsed: 0, at: performance.now(), step: 0 };
  createRoot(host).render(createElement(WatchPanel, { store, run, clock }));
  for (let i = 0; i < 5 && host.querySelectorAll('canvas').length < 4; i++) await nextFrame();
  const before = [...host.querySelectorAll('canvas')];
  const placeholdersBefore = host.querySelectorAll('[data-testid="chart-placeholder"]').length;

  const gaps: number[] = [];
  let last = await nextFrame();
  for (let step = 1; step <= total;) {
    for (let k = 0; k < perFrame && step <= total; k++, step++) {
      store.add({
        step,
        epoch: step / 1000,
        loss: 1 / Math.sqrt(step) + 0.05 * Math.sin(step),
        learning_rate: 1e-4,
        samples_per_second: 100,
      });
      if (step % 1000 === 0)
        store.add({
          step,
          epoch: step / 1000,
          eval_loss: 1 / Math.sqrt(step),
          eval_accuracy: 0.8,
          eval_f1: 0.75,
        });
    }
    const now = await nextFrame();
    gaps.push(now - last);
    last = now;
  }
  // Let the last redraw happen.
  await nextFrame();
  await nextFrame();
  const after = [...host.querySelectorAll('canvas')];
  // Left mounted (with an id) so the test can drag across a chart and reset the zoom.
  host.id = 'watch-50k';
  const sorted = [...gaps].sort((a, b) => a - b);
  return {
    canvases: before.length,
    sameCanvases: before.length === after.length && before.every((c, i) => c === after[i]),
    placeholdersBefore,
    placeholdersAfter: host.querySelectorAll('[data-testid="chart-placeholder"]').length,
    xRanges: [...host.querySelectorAll<HTMLElement>('[data-x-range]')].map((e) => e.dataset.xRange),
    epochEnds: [...store.epochEnds],
    lossPoints: store.loss[0].length,
    evalPoints: store.evals[0].length,
    frames: gaps.length,
    medianFrameMs: sorted[Math.floor(sorted.length / 2)] as number,
    p95FrameMs: sorted[Math.floor(sorted.length * 0.95)] as number,
    maxFrameMs: sorted[sorted.length - 1] as number,
  };
}
