// Display helpers. Capture times are the camera's wall clock with a `Z` appended (docs/api.md),
// so they are shown in UTC to keep the clock the camera showed.

// Formatters are made on first use: building one costs time the home page's first paint can't spare.
function lazy(options: Intl.DateTimeFormatOptions): () => Intl.DateTimeFormat {
  let made: Intl.DateTimeFormat | undefined;
  return () => (made ??= new Intl.DateTimeFormat(undefined, options));
}
const wallClock = lazy({ dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
const local = lazy({ dateStyle: 'medium', timeStyle: 'short' });
const day = lazy({ month: 'short', day: 'numeric', timeZone: 'UTC' });
const localDayFormat = lazy({ month: 'short', day: 'numeric' });

export function captureTime(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : wallClock().format(date);
}

export function instant(iso: string | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : local().format(date);
}

export function shortDay(isoDate: string): string {
  return day().format(new Date(`${isoDate}T00:00:00Z`));
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  // One decimal, dropped when it is zero: 1.5 MB, 64 MB.
  if (n < 1024 * 1024 * 1024) return `${Number((n / 1024 / 1024).toFixed(1))} MB`;
  return `${Number((n / 1024 / 1024 / 1024).toFixed(2))} GB`;
}

/** A local calendar date as YYYY-MM-DD. */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function daysAgo(n: number): Date {
  const date = new Date();
  date.setDate(date.getDate() - n);
  return date;
}

/** The local calendar day of an instant, e.g. "Nov 30". */
export function localDay(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : localDayFormat().format(date);
}
