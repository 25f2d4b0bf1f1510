/**
 * A sensitivity study: the run's variants again at each uncertain parameter's low and high value, one parameter at a
 * time, with the same seed (common random numbers: every difference is the parameter's).
 */
import { stringify } from "csv-stringify/sync";
import { meanOverSeeds } from "../reports/replication.js";
import type { Results } from "../reports/results.js";
import { familiesOf, type Perturbation } from "../reports/verdict.js";
import type { LoadedScenario } from "./load.js";
import type { RunPlan } from "./runner.js";

export interface PerturbedPlan {
  parameter: string;
  level: "low" | "high";
  value: string;
  plan: RunPlan;
}

export function planSensitivity(loaded: LoadedScenario, base: RunPlan): PerturbedPlan[] {
  return loaded.base.uncertain.flatMap((u) =>
    (["low", "high"] as const).map((level) => ({
      parameter: u.parameter,
      level,
      value: String(u[level]),
      plan: { ...base, variants: base.variants.map((v) => ({ ...v, scenario: loaded.derive(v, [[u.parameter, u[level]]]) })) },
    })),
  );
}

export const SENSITIVITY_COLUMNS = ["scenario", "variant", "parameter", "level", "metric", "unit", "value"] as const;

/**
 * sensitivity.csv: every ranked metric of every variant at the base setting (parameter empty, level "base") and at
 * each perturbation.
 */
export function sensitivityCsv(base: Results, perturbations: readonly Perturbation[]): string {
  const ranked = new Set<string>([...(base.rank ?? []), ...familiesOf(base).flatMap((f) => f.rank ?? [])].map((r) => r.metric));
  const rows: (string | number)[][] = [];
  const add = (results: Results, parameter: string, level: string): void => {
    for (const r of results.rows) if (ranked.has(r.metric)) rows.push([r.scenario, r.variant, parameter, level, r.metric, r.unit, r.value]);
  };
  // a replicated run: the mean over its seeds
  add(meanOverSeeds(base), "", "base");
  for (const p of perturbations) add(meanOverSeeds(p.results), p.parameter, p.level);
  return stringify([[...SENSITIVITY_COLUMNS], ...rows]);
}
