import type { CheckStatus, GateCheck, GateOutcome, GateRule, Results } from "../reports/results.js";
import { lookupMetric } from "../models/metrics.js";
import { matchesGlob } from "./variants.js";

const FAILING: ReadonlySet<CheckStatus> = new Set(["regressed", "changed", "missing"]);
const DEFAULT_RULE: GateRule = { metric: "*", rule: "auto", better: "either" };

export function globMatches(glob: string, name: string): boolean {
  return glob.includes("*") ? matchesGlob(glob, name) : glob === name;
}

/**
 * The first rule whose glob matches, else exact-for-integers / rel:0.01 in the direction the metric catalog gives
 * (either way when it gives none).
 */
export function ruleFor(rules: readonly GateRule[], metric: string): GateRule {
  return rules.find((r) => globMatches(r.metric, metric)) ?? { ...DEFAULT_RULE, better: lookupMetric(metric)?.spec.better ?? "either" };
}

function resolveRule(rule: string, baseline: number, current: number): string {
  if (rule !== "auto") return rule;
  return Number.isInteger(baseline) && Number.isInteger(current) ? "exact" : "rel:0.01";
}

function withinTolerance(rule: string, baseline: number, current: number): boolean {
  if (rule === "exact") return Object.is(baseline, current) || baseline === current;
  const [kind, amount] = rule.split(":");
  const tolerance = Number(amount);
  const diff = Math.abs(current - baseline);
  return kind === "abs" ? diff <= tolerance : diff <= tolerance * Math.abs(baseline);
}

/**
 * Compares every (variant, metric) of `current` with `baseline` under the rules stored with the baseline.
 * Metrics only in the current run are reported as new (not a failure); metrics the run no longer produces fail.
 */
export function gateResults(current: Results, baseline: Results): GateOutcome {
  if (current.scenario !== baseline.scenario) {
    throw new Error(`results are of scenario ${JSON.stringify(current.scenario)}, the baseline of ${JSON.stringify(baseline.scenario)}`);
  }
  if (current.seed !== baseline.seed) throw new Error(`results use seed ${current.seed}, the baseline seed ${baseline.seed}: compare runs of the same seed`);
  // the rules come with the baseline (written by --update from the scenario of that time): results under test cannot
  // loosen the gate that judges them
  const rules = baseline.gate ?? [];
  if (baseline.rows.length === 0) throw new Error("the baseline has no rows: nothing to compare (rewrite it with --update)");
  for (const [what, results] of [
    ["baseline", baseline],
    ["results", current],
  ] as const) {
    const seenRows = new Set<string>();
    for (const r of results.rows) {
      const k = `${r.variant}\u0000${r.metric}\u0000${r.seed}`;
      if (seenRows.has(k)) throw new Error(`the ${what} hold two rows for variant ${JSON.stringify(r.variant)}, metric ${r.metric}, seed ${r.seed}`);
      seenRows.add(k);
    }
  }
  const key = (variant: string, metric: string): string => `${variant}\u0000${metric}`;
  const now = new Map(current.rows.map((r) => [key(r.variant, r.metric), r]));
  const checks: GateCheck[] = [];
  const seen = new Set<string>();
  for (const b of baseline.rows) {
    const k = key(b.variant, b.metric);
    seen.add(k);
    const rule = ruleFor(rules, b.metric);
    const c = now.get(k);
    const base = { variant: b.variant, metric: b.metric, unit: b.unit, baseline: b.value, better: rule.better };
    if (rule.rule === "ignore") {
      checks.push({ ...base, current: c?.value, rule: "ignore", status: "ignored" });
      continue;
    }
    if (c === undefined) {
      checks.push({ ...base, rule: rule.rule, status: "missing" });
      continue;
    }
    const resolved = resolveRule(rule.rule, b.value, c.value);
    let status: CheckStatus = "same";
    if (!withinTolerance(resolved, b.value, c.value)) {
      if (rule.better === "either") status = "changed";
      else status = (rule.better === "lower") === c.value < b.value ? "improved" : "regressed";
    }
    checks.push({ ...base, current: c.value, rule: resolved, status });
  }
  for (const c of current.rows) {
    if (seen.has(key(c.variant, c.metric))) continue;
    const rule = ruleFor(rules, c.metric);
    checks.push({
      variant: c.variant,
      metric: c.metric,
      unit: c.unit,
      current: c.value,
      rule: rule.rule === "ignore" ? "ignore" : rule.rule,
      better: rule.better,
      status: rule.rule === "ignore" ? "ignored" : "new",
    });
  }
  if (!checks.some((c) => c.status !== "ignored" && c.status !== "new")) {
    throw new Error("the gate compared no metric: every baseline metric is ignored by its rules, or no variant is in both");
  }
  return { scenario: current.scenario, seed: current.seed, checks, failures: checks.filter((c) => FAILING.has(c.status)) };
}
