// Numbers, times and durations as the browser's locale and time zone show them.

const numbers = new Intl.NumberFormat();
const dateTimes = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
const dates = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const shortDates = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric" });

export const formatNumber = (value: number): string => numbers.format(value);

export const formatDateTime = (iso: string): string => dateTimes.format(new Date(iso));

/** A calendar day (YYYY-MM-DD) as a date, without a time zone shifting it. */
export const formatDay = (day: string, short = false): string =>
  (short ? shortDates : dates).format(new Date(`${day}T12:00:00`));

export const formatDuration = (ms: number | null): string =>
  ms === null ? "n/a" : ms < 1000 ? `${formatNumber(Math.round(ms))} ms` : `${(ms / 1000).toFixed(2)} s`;

/** YYYY-MM-DD of a local date. */
export function isoDay(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

export function daysAgo(days: number, from = new Date()): Date {
  const date = new Date(from);
  date.setDate(date.getDate() - days);
  return date;
}

/** A `datetime-local` input's value (YYYY-MM-DDThh:mm, the browser's zone) as the API's timestamp
 * (YYYY-MM-DDThh:mm:ss±hh:mm). */
export function localTimestamp(value: string): string {
  const offset = -new Date(value).getTimezoneOffset();
  const sign = offset < 0 ? "-" : "+";
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, "0");
  return `${value.slice(0, 16)}:00${sign}${pad(offset / 60)}:${pad(offset % 60)}`;
}
