import { useEffect, useRef, useState } from 'react';
import { chartTheme, themedAxis, useColorScheme } from '../train/chart-theme';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fullStepRange, STEP_INCREMENTS, stepTick } from '../train/chart-scale';
import type { OverlayData } from './overlay';

const COLORS = ['#2b59c3', '#c4302b', '#2f8f46', '#a05fd0', '#d98a14', '#138a9e', '#6b6b6b', '#c2418f'];

/**
 * One metric of several runs overlaid, step on the x axis from 0 to the longest run's last step, integer
 * ticks; drag to zoom, double-click to reset (uPlot's own), a log scale offered for losses.
 */
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
  const [log, setLog] = useState(false);
  const isLoss = /loss/.test(title);
  const empty = data[0].length === 0;
  const scheme = useColorScheme();
  useEffect(() => {
    const element = box.current;
    if (!element || empty) return;
    const [min, max] = fullStepRange(0, data[0].at(-1));
    const theme = chartTheme();
    const chart = new uPlot(
      {
        width: Math.max(200, element.clientWidth || 800),
        height: 320,
        scales: { x: { time: false }, y: log && isLoss ? { distr: 3 } : {} },
        axes: [
          {
            ...themedAxis(theme),
            label: 'step',
            incrs: STEP_INCREMENTS as number[],
            values: (_u, ticks) => ticks.map(stepTick),
          },
          { ...themedAxis(theme), size: 64 },
        ],
        series: [
          { label: 'step' },
          ...names.map((name, i) => ({ label: name, stroke: COLORS[i % COLORS.length], spanGaps: true })),
        ],
      },
      data as uPlot.AlignedData,
      element,
    );
    chart.setScale('x', { min, max });
    // The chart follows its box (a narrower window, a phone turned), as the live charts do.
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(200, element.clientWidth), height: 320 }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [title, names, data, log, isLoss, empty, scheme]);
  return (
    <figure className="overlay-figure">
      <figcaption>
        <strong>{title}</strong>
        {isLoss && (
          <label>
            <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> Log scale
          </label>
        )}
      </figcaption>
      {empty ? (
        <p className="chart-placeholder-static">No logged points for {title} yet.</p>
      ) : (
        <div ref={box} className="overlay-chart" role="img" aria-label={`${title} of ${names.join(', ')}`} />
      )}
    </figure>
  );
}
