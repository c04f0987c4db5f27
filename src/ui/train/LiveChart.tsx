// One uPlot chart fed from the MetricStore: made once, then given the store's growing arrays with setData at most
// once per animation frame (however many records arrived), and resized with its container. Every chart of a run
// shows the same x range (0 to the run's last step, or the shared zoom a drag on any of them sets), integer step
// ticks and a dashed line where each epoch ended; until the first point a placeholder says what will come.
import { chartTheme, themedAxis, useColorScheme, type ChartTheme } from './chart-theme';
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fullStepRange, STEP_INCREMENTS, stepTick, type ChartZoom } from './chart-scale';
import type { MetricStore } from './metric-store';

export interface ChartSeries {
  label: string;
  stroke: string;
  width?: number;
  dash?: number[];
  points?: boolean;
}

interface Props {
  title: string;
  store: MetricStore;
  /** The store's columns to draw: x first, then one per series. */
  data: (store: MetricStore) => uPlot.AlignedData;
  series: ChartSeries[];
  /** The run's planned number of steps: the x axis goes from 0 to it. */
  totalSteps: number;
  /** The zoom shared by the run's charts. */
  zoom: ChartZoom;
  /** What the chart says before its first point. */
  placeholder: string;
  yLabel?: string;
  /** Format of the axis and legend values. */
  format?: (value: number) => string;
  /** Fixed y range, e.g. [0, 1] for accuracy. */
  yRange?: [number, number];
  /** Offers a logarithmic y axis (for the loss). */
  logToggle?: boolean;
  height?: number;
}

export function LiveChart(props: Props) {
  const { title, store, data, totalSteps, zoom, placeholder, logToggle, height = 300 } = props;
  const box = useRef<HTMLDivElement>(null);
  const settings = useRef(props);
  const [log, setLog] = useState(false);
  const [empty, setEmpty] = useState(() => (data(store)[0]?.length ?? 0) === 0);

  const scheme = useColorScheme();
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const { data: pick, series: lines, yLabel: label, format: fmt, yRange: range } = settings.current;
    const value = (_u: uPlot, v: number | null) =>
      v === null || v === undefined ? '–' : fmt ? fmt(v) : String(v);
    const xRange = (): [number, number] => zoom.range ?? fullStepRange(totalSteps, pick(store)[0]?.at(-1));
    const [xMin, xMax] = xRange();
    const theme = chartTheme();
    const chart = new uPlot(
      {
        width: Math.max(element.clientWidth, 200),
        height,
        scales: {
          x: { time: false, min: xMin, max: xMax },
          y: log ? { distr: 3 } : range ? { range } : {},
        },
        axes: [
          {
            ...themedAxis(theme),
            label: 'step',
            incrs: STEP_INCREMENTS as number[],
            values: (_u, ticks) => ticks.map(stepTick),
          },
          {
            ...themedAxis(theme),
            label,
            size: 64,
            values: fmt ? (_u, ticks) => ticks.map((t) => fmt(t)) : undefined,
          },
        ],
        legend: { live: true },
        cursor: {
          // A drag selects a step range: it becomes the zoom of every chart of the run.
          drag: { x: true, y: false, setScale: false },
          bind: {
            dblclick: () => () => {
              zoom.set(undefined);
              return null;
            },
          },
        },
        hooks: {
          setSelect: [
            (u) => {
              if (u.select.width > 2) {
                const from = u.posToVal(u.select.left, 'x');
                const to = u.posToVal(u.select.left + u.select.width, 'x');
                zoom.set([Math.max(0, Math.floor(from)), Math.ceil(to)]);
              }
              u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            },
          ],
          draw: [(u) => drawEpochEnds(u, store.epochEnds, theme)],
        },
        series: [
          { label: 'step', value: (_u, v) => (v === null ? '–' : stepTick(v)) },
          ...lines.map((l) => ({
            label: l.label,
            stroke: l.stroke,
            width: l.width ?? 1.5,
            dash: l.dash,
            spanGaps: true,
            value,
            points: { show: l.points ?? false, size: 6, fill: l.stroke },
          })),
        ],
      },
      pick(store),
      element,
    );
    element.dataset.xRange = `${xMin},${xMax}`;
    const applyRange = () => {
      const [min, max] = xRange();
      chart.setScale('x', { min, max });
      // What the x axis shows, for a reader of the page (and the tests) without reading the canvas.
      element.dataset.xRange = `${min},${max}`;
    };
    let frame = 0;
    const redraw = () => {
      frame = 0;
      const columns = pick(store);
      chart.batch(() => {
        chart.setData(columns);
        applyRange();
      });
      setEmpty((columns[0]?.length ?? 0) === 0);
    };
    const unsubscribe = store.subscribe(() => {
      if (!frame) frame = requestAnimationFrame(redraw);
    });
    const unzoom = zoom.subscribe(applyRange);
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(element.clientWidth, 200), height }),
    );
    resize.observe(element);
    return () => {
      unsubscribe();
      unzoom();
      if (frame) cancelAnimationFrame(frame);
      resize.disconnect();
      chart.destroy();
    };
  }, [store, zoom, totalSteps, height, log, scheme]);

  return (
    <figure className="live-chart">
      <figcaption>
        <span className="chart-title">{title}</span>
        {logToggle && (
          <label className="chart-log">
            <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> Log scale
          </label>
        )}
      </figcaption>
      <div className="chart-area">
        <div
          ref={box}
          role="img"
          aria-label={`${title} chart`}
          data-x-range={(zoom.range ?? [0, totalSteps]).join(',')}
        />
        {empty && (
          <p className="chart-placeholder" data-testid="chart-placeholder">
            {placeholder}
          </p>
        )}
      </div>
    </figure>
  );
}

/**
 * A dashed vertical line at each step where an epoch ended (inside the plotted range), labelled; with many
 * epochs only every k-th line and label is drawn, so they stay apart (lines 8 px, labels 56 px at least).
 */
function drawEpochEnds(u: uPlot, epochEnds: readonly number[], theme: ChartTheme) {
  if (epochEnds.length === 0) return;
  const { ctx } = u;
  const { left, top, width, height } = u.bbox;
  const scale = u.scales['x'];
  const span = (scale?.max ?? 1) - (scale?.min ?? 0);
  const pxPerEpoch = ((epochEnds[0]! / Math.max(span, 1)) * width) / devicePixelRatio;
  const lineEvery = Math.max(1, Math.ceil(8 / pxPerEpoch));
  const labelEvery = Math.max(1, Math.ceil(56 / pxPerEpoch));
  ctx.save();
  ctx.strokeStyle = theme.text;
  ctx.fillStyle = theme.text;
  ctx.lineWidth = 1;
  ctx.setLineDash([4, 4]);
  ctx.font = `${Math.round(11 * devicePixelRatio)}px sans-serif`;
  epochEnds.forEach((step, i) => {
    const epoch = i + 1;
    if (epoch % lineEvery !== 0) return;
    const x = Math.round(u.valToPos(step, 'x', true));
    if (x < left || x > left + width) return;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height);
    ctx.stroke();
    if (epoch % labelEvery === 0) {
      ctx.fillText(`epoch ${epoch}`, x + 3 * devicePixelRatio, top + 12 * devicePixelRatio);
    }
  });
  ctx.restore();
}
