// The export's file list with sizes, for the CLI's output and the app's export summary.
import type { ExportFiles } from './bundle';

export interface ExportEntry {
  name: string;
  bytes: number;
}

export function exportListing(files: ExportFiles): ExportEntry[] {
  return [...files].map(([name, data]) => ({ name, bytes: data.byteLength }));
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** One line per file, sizes right-aligned, then the total. */
export function formatListing(files: ExportFiles): string {
  const entries = exportListing(files);
  const width = Math.max(...entries.map((e) => e.name.length), 'total'.length);
  const total = entries.reduce((a, e) => a + e.bytes, 0);
  return [...entries, { name: 'total', bytes: total }]
    .map((e) => `${e.name.padEnd(width)}  ${formatBytes(e.bytes).padStart(10)}  (${e.bytes} bytes)`)
    .join('\n');
}
