/**
 * The results table: one row per (scenario, variant, seed, metric). Every report is a pure function of it.
 * Metrics are dotted names (`fanout.bytes`, `npl.p99_s`), units explicit.
 */
export interface ResultRow {
  scenario: string;
  variant: string;
  seed: number;
  metric: string;
  unit: string;
  value: number;
}

/** What a model run measured, before it is labelled with scenario, variant and seed. */
export interface MetricValue {
  metric: string;
  unit: string;
  value: number;
}

export const RESULT_COLUMNS = ["scenario", "variant", "seed", "metric", "unit", "value"] as const;

/** A whole run: the table plus what a report needs to say about it (never wall-clock, so it stays reproducible). */
export interface Results {
  scenario: string;
  seed: number;
  rows: ResultRow[];
  /** Variant labels in run order. */
  variants?: string[];
  /** Parameters no source pins, named so every report can list them. */
  assumptions?: Assumption[];
  /** Metrics the scenario asks reports to rank variants on, and which way is better. */
  rank?: RankRule[];
}

export interface RankRule {
  metric: string;
  better: "lower" | "higher";
}

export interface Assumption {
  name: string;
  value: string;
  why: string;
}
