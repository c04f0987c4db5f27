import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { OverlayData } from './overlay';

const COLORS = ['#2b59c3', '#c4302b', '#2f8f46', '#a05fd0', '#d98a14', '#138a9e', '#6b6b6b', '#c2418f'];

/** One metric of several runs overlaid, step on the x axis. */
export function OverlayChart({
  title,
  names,
  data,
}: {
  title: string;
  names: readonly string[];
  data: OverlayData;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const chart = new uPlot(
      {
        title,
        width: Math.max(320, element.clientWidth || 800),
        height: 280,
        scales: { x: { time: false } },
        axes: [{ label: 'step' }, {}],
        series: [
          { label: 'step' },
          ...names.map((name, i) => ({ label: name, stroke: COLORS[i % COLORS.length], spanGaps: true })),
        ],
      },
      data as uPlot.AlignedData,
      element,
    );
    return () => chart.destroy();
  }, [title, names, data]);
  return (
    <div ref={box} className="overlay-chart" role="img" aria-label={`${title} of ${names.join(', ')}`} />
  );
}
