/**
 * Field builders for configuration schemas (zod). Every field says its allowed values in its error message, so a bad
 * scenario fails with "phold.lps: must be an integer in 1..1000000 (got -5)" instead of a stack trace.
 */
import { z } from "zod";
import { formatDuration, parseDuration, type Micros } from "../engine/time.js";
import { formatBytes, parseBandwidth, parseBytes } from "../engine/units.js";
import { NEWEST_MINOR, OLDEST_MINOR, parseVersion } from "./network/versions.js";

export const HOUR = 3600 * 1_000_000;
export const DAY = 24 * HOUR;

export const DEFAULT_VERSION = "1.34";

/** "1.18" .. the newest release modelled, parsed to its minor version. */
export function kubernetesVersion() {
  const error = `must be a Kubernetes release "1.${OLDEST_MINOR}" .. "1.${NEWEST_MINOR}"`;
  return z.string({ error }).transform((v, ctx) => {
    const parsed = parseVersion(v);
    if (parsed === undefined) {
      ctx.addIssue({ code: "custom", message: error });
      return z.NEVER;
    }
    return parsed;
  });
}

export function int(min: number, max: number) {
  const error = `must be an integer in ${min}..${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

export function num(min: number, max: number) {
  const error = `must be a number in ${min}..${max}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
}

/** A duration written "90s", "1h", "250ms", "1m30s", or a number of microseconds; parsed to µs. */
export function duration(min: Micros, max: Micros) {
  const error = `must be a duration like "90s", "250ms" or "1h" (or a number of µs) in ${formatDuration(min)}..${formatDuration(max)}`;
  return z.union([z.string(), z.number()], { error }).transform((v, ctx): Micros => {
    const us = typeof v === "number" ? v : parseDuration(v);
    if (us === undefined || !Number.isFinite(us) || us < min || us > max) {
      ctx.addIssue({ code: "custom", message: error });
      return z.NEVER;
    }
    return Math.round(us);
  });
}

/** A byte count: "1.5MiB", "2GiB", "10kB" or a number of bytes. */
export function bytes(min: number, max: number) {
  const error = `must be a byte count like "1.5MiB", "2GiB" or "170Mi" (or a number of bytes) in ${formatBytes(min)}..${formatBytes(max)}`;
  return z.union([z.string(), z.number()], { error }).transform((v, ctx): number => {
    const n = typeof v === "number" ? v : parseBytes(v);
    if (n === undefined || !Number.isFinite(n) || n < min || n > max) {
      ctx.addIssue({ code: "custom", message: error });
      return z.NEVER;
    }
    return Math.round(n);
  });
}

/** A bandwidth, "10Gbit/s" or "1.25GB/s", parsed to bytes per second. */
export function bandwidth() {
  const error = 'must be a bandwidth like "10Gbit/s" or "1.25GB/s"';
  return z.string({ error }).transform((v, ctx): number => {
    const n = parseBandwidth(v);
    if (n === undefined || !(n > 0)) {
      ctx.addIssue({ code: "custom", message: error });
      return z.NEVER;
    }
    return n;
  });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values, { error: `must be one of ${values.map((v) => JSON.stringify(v)).join(", ")}` });
}

/** A lognormal spread given by median and p99, or a constant duration. */
export const spread = z.union([
  duration(0, DAY).transform((d) => ({ median: d, p99: d })),
  z
    .object({ median: duration(0, DAY), p99: duration(0, DAY) })
    .strict()
    .refine((s) => s.p99 >= s.median, { error: "p99 must be >= median" }),
]);

/** A field that no longer exists: refused with a message that says what replaced it. */
export function removed(instead: string) {
  return z.undefined({ error: `no longer a field: ${instead}` }).optional();
}
