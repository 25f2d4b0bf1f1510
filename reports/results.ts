import type { Assumption } from "../models/network/assumptions.js";

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

export const RESULT_COLUMNS = ["scenario", "variant", "seed", "metric", "unit", "value"] as const;

/** A whole run: the table plus what a report needs to say about it (never wall-clock, so it stays reproducible). */
export interface Results {
  scenario: string;
  seed: number;
  /** Every seed of a replicated run (`--seeds N`), the rows keyed by each; absent for one seed. */
  seeds?: number[];
  rows: ResultRow[];
  /** Variant labels in run order. */
  variants?: string[];
  /** Parameters no source pins, named so every report can list them. */
  assumptions?: Assumption[];
  /** Metrics the scenario asks reports to rank variants on, and which way is better. */
  rank?: RankRule[];
  /** The variants' families: each ranked on its own, every value also shown against its reference. */
  families?: Family[];
  /** How `bench gate` compares each metric with a baseline (first matching rule wins). */
  gate?: GateRule[];
  /** Set on the results of one shard of a sharded run (`--shard i/N`); `bench merge` combines them. */
  shard?: ShardInfo;
}

export interface GateRule {
  /** Metric name or glob (`*` matches any run of characters). */
  metric: string;
  /** `auto` (exact for integers, rel:0.01 otherwise), `exact`, `rel:<fraction>`, `abs:<amount>` or `ignore`. */
  rule: string;
  better: "lower" | "higher" | "either";
}

export interface ShardInfo {
  /** 1-based. */
  index: number;
  count: number;
  /** Every variant of the unsharded run, in run order. */
  variants: string[];
  /** What the parts must agree on to merge: the planned run's hash (every variant's validated scenario) and the tool. */
  planSha256?: string;
  tool?: string;
}

export interface Family {
  name: string;
  /** Labels in run order, the reference among them. */
  variants: string[];
  reference: string;
  /** Rank rules of this family; default the run's. */
  rank?: RankRule[];
}

export interface RankRule {
  metric: string;
  better: "lower" | "higher";
}

export type { Assumption } from "../models/network/assumptions.js";

// ---- bench gate: a run compared with a committed baseline ----

export type CheckStatus = "same" | "improved" | "regressed" | "changed" | "missing" | "new" | "ignored";

/** One metric of one variant against the baseline. */
export interface GateCheck {
  variant: string;
  metric: string;
  unit: string;
  baseline?: number;
  current?: number;
  /** The rule applied, resolved: `exact`, `rel:<f>`, `abs:<a>` or `ignore`. */
  rule: string;
  better: GateRule["better"];
  status: CheckStatus;
}

export interface GateOutcome {
  scenario: string;
  seed: number;
  checks: GateCheck[];
  /** Checks that fail the gate: regressed, changed (no direction says which way is fine) or missing. */
  failures: GateCheck[];
}
