// Watch: the live charts, the progress line (step, epoch, elapsed, ETA) and the overfitting warning.
import { etaSeconds } from './eta';
import { useEffect, useMemo, useState, type RefObject } from 'react';
import type { RunRecord } from '../../core/storage/run-types';
import { ChartZoom } from './chart-scale';
import { LiveChart } from './LiveChart';
import type { MetricStore } from './metric-store';
import { detectOverfitting } from './overfitting';
import type { RunClock } from './useTraining';

const COLORS = { raw: '#9fb3d9', smooth: '#2b59c3', eval: '#d9480f', acc: '#2f9e44', f1: '#7048e8' };

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return h > 0 ? `${h} h ${m} min` : m > 0 ? `${m} min ${rest} s` : `${rest} s`;
}

/** Re-renders on the next animation frame after the store changes (never more than once a frame). */
function useStoreVersion(store: MetricStore, tick = false): number {
  const [version, setVersion] = useState(store.version);
  useEffect(() => {
    let frame = 0;
    const unsubscribe = store.subscribe(() => {
      if (!frame) frame = requestAnimationFrame(() => ((frame = 0), setVersion(store.version)));
    });
    // While running, the clock also moves without records (1 s is enough for seconds).
    const timer = tick ? setInterval(() => setVersion((v) => v + 0.001), 1000) : undefined;
    return () => {
      unsubscribe();
      if (frame) cancelAnimationFrame(frame);
      if (timer) clearInterval(timer);
    };
  }, [store, tick]);
  return version;
}

function ProgressLine({
  store,
  run,
  clock,
}: {
  store: MetricStore;
  run: RunRecord;
  clock: RefObject<RunClock>;
}) {
  const running = run.status === 'running';
  useStoreVersion(store, running);
  const step = Math.max(store.latestTrain?.step ?? 0, store.latestEval?.step ?? 0, run.globalStep);
  const epoch = store.latestTrain?.epoch ?? store.latestEval?.epoch ?? 0;
  const { elapsed: at, at: when } = clock.current;
  // eslint-disable-next-line react-hooks/purity -- the clock line is meant to move with time
  const elapsed = running ? at + (performance.now() - when) / 1000 : run.trainSeconds || at;
  const eta = run.totalSteps > step ? etaSeconds(clock.current, run.totalSteps, elapsed) : 0;
  return (
    <dl className="progress-line" data-testid="run-progress">
      <div>
        <dt>Step</dt>
        <dd data-testid="progress-step">
          {step} / {run.totalSteps || '–'}
        </dd>
      </div>
      <div>
        <dt>Epoch</dt>
        <dd>
          {epoch.toFixed(2)} / {run.args.num_train_epochs}
        </dd>
      </div>
      <div>
        <dt>Elapsed</dt>
        <dd>{formatDuration(elapsed)}</dd>
      </div>
      <div>
        <dt>ETA</dt>
        <dd data-testid="progress-eta">
          {running ? (eta !== undefined ? formatDuration(eta) : 'estimating…') : '–'}
        </dd>
      </div>
      <div>
        <dt>Samples/s</dt>
        <dd>{store.latestTrain?.samples_per_second?.toFixed(1) ?? '–'}</dd>
      </div>
    </dl>
  );
}

function OverfittingWarning({ store }: { store: MetricStore }) {
  useStoreVersion(store);
  const warning = detectOverfitting(store.evalPoints);
  if (!warning) return null;
  return (
    <div className="overfitting" role="status" data-testid="overfitting-warning">
      <strong>{warning.message}</strong> Try:
      <ul>
        {warning.advice.map((a) => (
          <li key={a}>{a}</li>
        ))}
      </ul>
    </div>
  );
}

const fixed = (digits: number) => (v: number) => v.toFixed(digits);
const exp = (v: number) => (v === 0 ? '0' : v.toExponential(1));

/** Whether the charts are zoomed, as React state. */
function useZoomed(zoom: ChartZoom): boolean {
  const [zoomed, setZoomed] = useState(false);
  useEffect(() => zoom.subscribe(() => setZoomed(zoom.range !== undefined)), [zoom]);
  return zoomed;
}

export function WatchPanel({
  store,
  run,
  clock,
}: {
  store: MetricStore;
  run: RunRecord;
  clock: RefObject<RunClock>;
}) {
  // One zoom for the run's four charts, so they always show the same steps.
  const zoom = useMemo(() => new ChartZoom(), []);
  const zoomed = useZoomed(zoom);
  useEffect(() => zoom.set(undefined), [zoom, run.id]);
  const shared = { store, zoom, totalSteps: run.totalSteps };
  const waiting = 'Waiting for the first training step…';
  return (
    <section className="watch" aria-label="Watch">
      <h3>Watch</h3>
      <ProgressLine store={store} run={run} clock={clock} />
      <OverfittingWarning store={store} />
      <p className="chart-help">
        Drag across a chart to zoom all of them to those steps; double-click or{' '}
        <button type="button" onClick={() => zoom.set(undefined)} disabled={!zoomed}>
          Reset zoom
        </button>
      </p>
      <div className="charts">
        <LiveChart
          {...shared}
          logToggle
          placeholder={waiting}
          title="Loss"
          data={(s) => s.loss}
          format={fixed(3)}
          series={[
            { label: 'training loss', stroke: COLORS.raw, width: 1 },
            { label: 'smoothed', stroke: COLORS.smooth, width: 2 },
            { label: 'eval loss', stroke: COLORS.eval, width: 2, points: true },
          ]}
        />
        {run.task === 'causal-lm' ? (
          <LiveChart
            {...shared}
            placeholder="No evaluation yet: perplexity appears after the first one."
            title="Perplexity (validation)"
            data={(s) => s.perplexity}
            format={fixed(2)}
            series={[{ label: 'perplexity', stroke: COLORS.acc, width: 2, points: true }]}
          />
        ) : (
          <LiveChart
            {...shared}
            placeholder="No evaluation yet: accuracy and F1 appear after the first one."
            title="Accuracy and macro F1 (validation)"
            data={(s) => s.evals}
            format={fixed(3)}
            yRange={[0, 1]}
            series={[
              { label: 'accuracy', stroke: COLORS.acc, width: 2, points: true },
              { label: 'macro F1', stroke: COLORS.f1, width: 2, points: true, dash: [6, 3] },
            ]}
          />
        )}
        {run.task === 'causal-lm' && run.evalExamples > 0 && run.causalLmData?.kind !== 'text' && (
          // Greedy completions of the validation prompts, scored at each evaluation (core/run/causal-lm.ts).
          <LiveChart
            {...shared}
            placeholder="No evaluation yet: BLEU and ROUGE-L appear after the first one."
            title="BLEU and ROUGE-L ×100 (validation generations)"
            data={(s) => s.generation}
            format={fixed(2)}
            yRange={[0, 100]}
            series={[
              { label: 'BLEU', stroke: COLORS.acc, width: 2, points: true },
              { label: 'ROUGE-L ×100', stroke: COLORS.f1, width: 2, points: true, dash: [6, 3] },
            ]}
          />
        )}
        <LiveChart
          {...shared}
          placeholder={waiting}
          title="Learning rate"
          data={(s) => [s.train[0], s.train[1]]}
          format={exp}
          series={[{ label: 'learning rate', stroke: COLORS.smooth }]}
        />
        <LiveChart
          {...shared}
          placeholder={waiting}
          title="Samples per second"
          data={(s) => [s.train[0], s.train[2]]}
          format={fixed(1)}
          series={[{ label: 'samples/s', stroke: COLORS.acc }]}
        />
      </div>
    </section>
  );
}
