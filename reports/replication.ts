/**
 * Replication (`bench run --seeds N`): the tidy table keeps a row per seed; this is what the reports show of it, the
 * mean and a 95% confidence interval per metric, and paired differences (same seed: common random numbers, so the
 * workload's randomness cancels out of a comparison).
 */
import { stringify } from "csv-stringify/sync";
import type { ResultRow, Results } from "./results.js";

/** Two-sided 95% Student t quantiles for 1..30 degrees of freedom; 1.96 beyond. */
const T95 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069,
  2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

export function t95(degreesOfFreedom: number): number {
  return degreesOfFreedom < 1 ? Number.NaN : (T95[degreesOfFreedom - 1] ?? 1.96);
}

/** Mean and the half-width of its 95% confidence interval (t x s / sqrt(n)); 0 for one value. */
export function meanCi(values: readonly number[]): { mean: number; ci95: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { mean, ci95: 0 };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1);
  return { mean, ci95: t95(n - 1) * Math.sqrt(variance / n) };
}

export function isReplicated(results: Results): boolean {
  return (results.seeds?.length ?? 1) > 1;
}

/** variant -> metric -> values in seed order. */
function valuesBySeed(results: Results): Map<string, Map<string, { unit: string; values: number[] }>> {
  const out = new Map<string, Map<string, { unit: string; values: number[] }>>();
  for (const r of results.rows) {
    let m = out.get(r.variant);
    if (m === undefined) out.set(r.variant, (m = new Map()));
    let e = m.get(r.metric);
    if (e === undefined) m.set(r.metric, (e = { unit: r.unit, values: [] }));
    e.values.push(r.value);
  }
  return out;
}

/** The results with one row per (variant, metric): the mean over seeds. The same results when there is one seed. */
export function meanOverSeeds(results: Results): Results {
  if (!isReplicated(results)) return results;
  const rows: ResultRow[] = [];
  for (const [variant, metrics] of valuesBySeed(results)) {
    for (const [metric, e] of metrics)
      rows.push({ scenario: results.scenario, variant, seed: results.seed, metric, unit: e.unit, value: meanCi(e.values).mean });
  }
  return { ...results, rows };
}

export interface SeedStat {
  variant: string;
  metric: string;
  unit: string;
  n: number;
  mean: number;
  ci95: number;
}

export function seedStats(results: Results): SeedStat[] {
  const out: SeedStat[] = [];
  for (const [variant, metrics] of valuesBySeed(results)) {
    for (const [metric, e] of metrics) out.push({ variant, metric, unit: e.unit, n: e.values.length, ...meanCi(e.values) });
  }
  return out;
}

/** stats.csv: per variant and metric (series points left out), the mean over seeds and its 95% confidence interval. */
export function statsCsv(results: Results): string {
  const rows = seedStats(results)
    .filter((s) => !s.metric.includes("@"))
    .map((s) => [results.scenario, s.variant, s.metric, s.unit, s.n, s.mean, s.mean - s.ci95, s.mean + s.ci95]);
  return stringify([["scenario", "variant", "metric", "unit", "seeds", "mean", "ci95_low", "ci95_high"], ...rows]);
}

/**
 * The paired difference of `variant` against `reference` on a metric, in % of the reference, seed by seed: its mean
 * and 95% interval. Undefined when a seed lacks either value or the reference is 0.
 */
export function pairedPct(results: Results, variant: string, reference: string, metric: string): { mean: number; ci95: number } | undefined {
  const bySeed = new Map<number, { v?: number; r?: number }>();
  for (const row of results.rows) {
    if (row.metric !== metric || (row.variant !== variant && row.variant !== reference)) continue;
    const e = bySeed.get(row.seed) ?? {};
    if (row.variant === variant) e.v = row.value;
    if (row.variant === reference) e.r = row.value;
    bySeed.set(row.seed, e);
  }
  const diffs: number[] = [];
  for (const e of bySeed.values()) {
    if (e.v === undefined || e.r === undefined || e.r === 0) return undefined;
    diffs.push(((e.v - e.r) / Math.abs(e.r)) * 100);
  }
  return diffs.length === 0 ? undefined : meanCi(diffs);
}
