/**
 * Simulated time is an integer count of microseconds held in a JS number: exact up to 2^53 µs (~285 years).
 * Never accumulate float seconds; convert at the edges with these helpers.
 */
export type Micros = number;

export const US_PER_MS = 1_000;
export const US_PER_S = 1_000_000;

export const us = (n: number): Micros => Math.round(n);
export const ms = (n: number): Micros => Math.round(n * US_PER_MS);
export const s = (n: number): Micros => Math.round(n * US_PER_S);
export const min = (n: number): Micros => Math.round(n * 60 * US_PER_S);
export const h = (n: number): Micros => Math.round(n * 3600 * US_PER_S);

export const toSeconds = (t: Micros): number => t / US_PER_S;
export const toMillis = (t: Micros): number => t / US_PER_MS;

const UNIT_US: Record<string, number> = { us: 1, µs: 1, ms: US_PER_MS, s: US_PER_S, m: 60 * US_PER_S, min: 60 * US_PER_S, h: 3600 * US_PER_S };
const DURATION_PART = /(\d+(?:\.\d+)?)(us|µs|ms|s|min|m|h)/y;

/**
 * Parses "90s", "1h", "1m30s", "250ms", "1.5s" into microseconds (rounded to the nearest µs).
 * Returns undefined when the text is not a duration, so callers can name the offending field.
 */
export function parseDuration(text: string): Micros | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  if (trimmed === "0") return 0;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < trimmed.length) {
    const at = DURATION_PART.lastIndex;
    const m = DURATION_PART.exec(trimmed);
    if (!m || m.index !== at) return undefined;
    total += Number(m[1]) * UNIT_US[m[2]];
  }
  return Math.round(total);
}

/** Formats microseconds for humans: "1h", "90s", "1.5s", "250ms", "12µs". */
export function formatDuration(t: Micros): string {
  if (t === 0) return "0s";
  const sign = t < 0 ? "-" : "";
  const a = Math.abs(t);
  if (a % (3600 * US_PER_S) === 0) return `${sign}${a / (3600 * US_PER_S)}h`;
  if (a % (60 * US_PER_S) === 0 && a >= 60 * US_PER_S) return `${sign}${a / (60 * US_PER_S)}m`;
  if (a >= US_PER_S) return `${sign}${a / US_PER_S}s`;
  if (a >= US_PER_MS) return `${sign}${a / US_PER_MS}ms`;
  return `${sign}${a}µs`;
}
