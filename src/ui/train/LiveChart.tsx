// One uPlot chart fed from the MetricStore: made once, then given the store's growing arrays with setData at most
// once per animation frame (however many records arrived), and resized with its container.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
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
  yLabel?: string;
  /** Format of the axis and legend values. */
  format?: (value: number) => string;
  /** Fixed y range, e.g. [0, 1] for accuracy. */
  yRange?: [number, number];
  height?: number;
}

export function LiveChart({ title, store, data, series, yLabel, format, yRange, height = 200 }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const settings = useRef({ data, series, yLabel, format, yRange, height, title });

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const {
      data: pick,
      series: lines,
      yLabel: label,
      format: fmt,
      yRange: range,
      height: h,
      title: name,
    } = settings.current;
    const value = (_u: uPlot, v: number | null) =>
      v === null || v === undefined ? '–' : fmt ? fmt(v) : String(v);
    const chart = new uPlot(
      {
        title: name,
        width: Math.max(element.clientWidth, 200),
        height: h,
        scales: { x: { time: false }, y: range ? { range } : {} },
        axes: [
          { label: 'step' },
          { label, size: 70, values: fmt ? (_u, ticks) => ticks.map((t) => fmt(t)) : undefined },
        ],
        legend: { live: true },
        series: [
          { label: 'step' },
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
    let frame = 0;
    const redraw = () => {
      frame = 0;
      chart.setData(pick(store));
    };
    const unsubscribe = store.subscribe(() => {
      if (!frame) frame = requestAnimationFrame(redraw);
    });
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(element.clientWidth, 200), height: h }),
    );
    resize.observe(element);
    return () => {
      unsubscribe();
      if (frame) cancelAnimationFrame(frame);
      resize.disconnect();
      chart.destroy();
    };
  }, [store]);

  return <div className="live-chart" ref={box} role="img" aria-label={`${title} chart`} />;
}
