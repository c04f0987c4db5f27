// The charts' axis, grid and label colours from the page's theme (app.css custom properties), so that uPlot's
// canvas text reads in the dark theme too. Read when a chart is made; a theme switch shows on the next one.
import type uPlot from 'uplot';

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
