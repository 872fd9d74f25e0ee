/**
 * Parley's one way to print dates and times, in the dashboard and in every panel: the viewer's
 * locale and time zone (the browser's, unless a caller passes others, as tests do), with the month
 * as a word, so no reader has to guess whether 12/11 is December or November
 * ("30 Nov 2026, 15:40" in en-GB, "Nov 30, 2026, 03:40 PM" in en-US).
 */
export interface DateTimeOptions {
  /** BCP 47 locale(s); the browser's when absent. */
  locale?: string | readonly string[];
  /** IANA time zone; the browser's when absent. */
  timeZone?: string;
}

type Input = string | number | Date;

const DATE: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short', year: 'numeric' };
const TIME: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit' };
const DAY_MONTH: Intl.DateTimeFormatOptions = { day: 'numeric', month: 'short' };
/** A calendar day as a comparable key (en-CA prints ISO-like YYYY-MM-DD). */
const DAY_KEY: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(
  fields: Intl.DateTimeFormatOptions,
  options: DateTimeOptions,
  locale = options.locale,
): Intl.DateTimeFormat {
  const key = JSON.stringify([fields, locale ?? null, options.timeZone ?? null]);
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat(locale as string | string[] | undefined, {
      ...fields,
      ...(options.timeZone === undefined ? {} : { timeZone: options.timeZone }),
    });
    formatters.set(key, formatter);
  }
  return formatter;
}

function toDate(value: Input): Date | undefined {
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** What an unreadable value prints as (never "Invalid Date"). */
export const UNKNOWN_TIME = 'unknown time';

/** "30 Nov 2026, 15:40": the default for any moment. */
export function formatDateTime(value: Input, options: DateTimeOptions = {}): string {
  const date = toDate(value);
  return date === undefined ? UNKNOWN_TIME : formatterFor({ ...DATE, ...TIME }, options).format(date);
}

/** "30 Nov 2026": a day, when the time does not matter (expiry dates, deletion dates). */
export function formatDate(value: Input, options: DateTimeOptions = {}): string {
  const date = toDate(value);
  return date === undefined ? UNKNOWN_TIME : formatterFor(DATE, options).format(date);
}

/** "15:40": a time of day, when the day is obvious (later today). */
export function formatTime(value: Input, options: DateTimeOptions = {}): string {
  const date = toDate(value);
  return date === undefined ? UNKNOWN_TIME : formatterFor(TIME, options).format(date);
}

function dayKey(date: Date, options: DateTimeOptions): string {
  return formatterFor(DAY_KEY, options, 'en-CA').format(date);
}

/**
 * As short as stays unambiguous, relative to `now` in the viewer's time zone: "15:40" today,
 * "28 Nov, 09:05" earlier this year, "30 Dec 2025, 09:05" before that. Chat messages and lists.
 */
export function formatRecent(value: Input, options: DateTimeOptions & { now?: Date } = {}): string {
  const date = toDate(value);
  if (date === undefined) return UNKNOWN_TIME;
  const now = options.now ?? new Date();
  const day = dayKey(date, options);
  const today = dayKey(now, options);
  if (day === today) return formatTime(date, options);
  if (day.slice(0, 4) === today.slice(0, 4)) return formatterFor({ ...DAY_MONTH, ...TIME }, options).format(date);
  return formatDateTime(date, options);
}

/** The time zone the formatter prints in when none is given: the viewer's ("Europe/Lisbon"). */
export function viewerTimeZone(): string {
  return new Intl.DateTimeFormat().resolvedOptions().timeZone;
}
