// The one way the page writes a moment: in the person's locale (the browser's), the date medium and the time to
// the minute; a checkpoint's time to the second. Run names carry their start time in the same locale.
export function formatDateTime(ms: number): string {
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { timeStyle: 'medium' });
}
