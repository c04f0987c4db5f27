// The charts' axis, grid and label colours from the page's theme (app.css custom properties), so that uPlot's
// canvas text reads in the dark theme too. Read when a chart is made; useColorScheme makes the charts again when
// the system switches between light and dark.
import { useSyncExternalStore } from 'react';
import type uPlot from 'uplot';

const DARK = '(prefers-color-scheme: dark)';

function subscribe(onChange: () => void): () => void {
  const query = window.matchMedia(DARK);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}

/** 'dark' or 'light', following the system: a chart's effect lists it so the chart is drawn again in the new colours. */
export function useColorScheme(): 'dark' | 'light' {
  return useSyncExternalStore(
    subscribe,
    () => (window.matchMedia(DARK).matches ? 'dark' : 'light'),
    () => 'light',
  );
}

export interface ChartTheme {
  text: string;
  grid: string;
}

export function chartTheme(): ChartTheme {
  const css = getComputedStyle(document.documentElement);
  return {
    text: css.getPropertyValue('--text-muted').trim() || '#4a5568',
    grid: css.getPropertyValue('--border-subtle').trim() || '#dde2ea',
  };
}

/** uPlot axis options in the theme's colours. */
export function themedAxis(theme: ChartTheme): Pick<uPlot.Axis, 'stroke' | 'grid' | 'ticks'> {
  return {
    stroke: theme.text,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1 },
  };
}
