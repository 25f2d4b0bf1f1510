/**
 * Verdicts: per family of variants and ranked metric, who wins, by how much against the family's reference, and
 * whether that survives the uncertain parameters (sensitivity) and the seeds (replication). Pure functions of results.
 */
import { failureReasons, lookupMetric } from "../models/metrics.js";
import type { Family, RankRule, Results } from "./results.js";
import { isReplicated, meanOverSeeds, pairedPct, seedStats } from "./replication.js";
import { humanNumber, humanQuantity } from "./table.js";
import { shortLabels } from "./variant-labels.js";

export interface Place {
  rank: number;
  variant: string;
  value: number;
  /** (value - reference) / |reference| x 100; undefined when the reference is 0 or lacks the metric. */
  vsReferencePct?: number;
  /** Why the variant failed (ranked after those that did not); empty when it did not. */
  failed: string[];
  /** 0 it did not fail, 1 it missed an SLO, 2 it broke (lost writes or lookups): the ranking's first key. */
  severity: number;
}

export interface MetricRanking {
  rule: RankRule;
  unit: string;
  /** Variants that did not fail first, best first; then the failed ones, best first. */
  places: Place[];
  reference: string;
  referenceValue?: number;
}

export interface FamilyRanking {
  family: Family;
  metrics: MetricRanking[];
}

/** The families of a run; a run that declares none is one family of every variant, the first the reference. */
export function familiesOf(results: Results): Family[] {
  if (results.families !== undefined && results.families.length > 0) return results.families;
  const variants = results.variants ?? [...new Set(results.rows.map((r) => r.variant))];
  return [{ name: "variants", variants, reference: variants[0] }];
}

/** variant -> metric -> value. */
export function valuesByVariant(results: Results): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const r of results.rows) {
    let m = out.get(r.variant);
    if (m === undefined) out.set(r.variant, (m = new Map()));
    m.set(r.metric, r.value);
  }
  return out;
}

export function rankFamilies(results: Results): FamilyRanking[] {
  const values = valuesByVariant(results);
  const units = new Map(results.rows.map((r) => [r.metric, r.unit]));
  const reasons = new Map([...values].map(([v, m]) => [v, failureReasons(m)]));
  // a variant fails a ranking when it failed in the part of the model the ranked metric comes from
  const failuresFor = (metric: string): Map<string, { reasons: string[]; severity: number }> => {
    const family = lookupMetric(metric)?.spec.family;
    return new Map(
      [...reasons].map(([v, all]) => {
        const f = all.filter((x) => family === undefined || x.family === family);
        return [v, { reasons: f.map((x) => x.reason), severity: f.some((x) => x.severity === "broken") ? 2 : f.length > 0 ? 1 : 0 }];
      }),
    );
  };
  return familiesOf(results).map((family) => {
    const rules = family.rank ?? results.rank ?? [];
    const metrics = rules
      .map((rule) => rankOne(family, rule, values, failuresFor(rule.metric), units.get(rule.metric) ?? ""))
      .filter((m) => m.places.length > 0);
    return { family, metrics };
  });
}

function rankOne(
  family: Family,
  rule: RankRule,
  values: Map<string, Map<string, number>>,
  failures: Map<string, { reasons: string[]; severity: number }>,
  unit: string,
): MetricRanking {
  const order = new Map(family.variants.map((v, i) => [v, i]));
  const referenceValue = values.get(family.reference)?.get(rule.metric);
  const rows = family.variants.flatMap((variant) => {
    const value = values.get(variant)?.get(rule.metric);
    const f = failures.get(variant) ?? { reasons: [], severity: 0 };
    return value === undefined ? [] : [{ variant, value, failed: f.reasons, severity: f.severity }];
  });
  const better = (a: number, b: number): number => (rule.better === "lower" ? a - b : b - a);
  rows.sort((a, b) => a.severity - b.severity || better(a.value, b.value) || order.get(a.variant)! - order.get(b.variant)!);
  let rank = 0;
  const places = rows.map((r, i) => {
    const prev = rows[i - 1];
    if (i === 0 || r.value !== prev.value || r.severity !== prev.severity) rank = i + 1;
    const vsReferencePct = referenceValue === undefined || referenceValue === 0 ? undefined : ((r.value - referenceValue) / Math.abs(referenceValue)) * 100;
    return { rank, variant: r.variant, value: r.value, failed: r.failed, severity: r.severity, ...(vsReferencePct === undefined ? {} : { vsReferencePct }) };
  });
  return { rule, unit, places, reference: family.reference, ...(referenceValue === undefined ? {} : { referenceValue }) };
}

/** The variants in rank order (ties by run order): what Kendall's tau compares. */
export function rankOrder(ranking: MetricRanking): string[] {
  return ranking.places.map((p) => p.variant);
}

/**
 * Kendall's tau-b between two rankings of the same variants, each given as variant -> rank (ties share a rank):
 * 1 same order, -1 reversed. Variants missing from either are left out.
 */
export function kendallTau(a: ReadonlyMap<string, number>, b: ReadonlyMap<string, number>): number {
  const items = [...a.keys()].filter((k) => b.has(k));
  let concordant = 0;
  let discordant = 0;
  let tiesA = 0;
  let tiesB = 0;
  for (let i = 0; i < items.length; i++) {
    for (let j = i + 1; j < items.length; j++) {
      const da = Math.sign(a.get(items[i])! - a.get(items[j])!);
      const db = Math.sign(b.get(items[i])! - b.get(items[j])!);
      if (da === 0 && db === 0) continue;
      if (da === 0) tiesA++;
      else if (db === 0) tiesB++;
      else if (da === db) concordant++;
      else discordant++;
    }
  }
  const n0 = concordant + discordant;
  const denominator = Math.sqrt((n0 + tiesA) * (n0 + tiesB));
  return denominator === 0 ? 1 : (concordant - discordant) / denominator;
}

export function ranksOf(ranking: MetricRanking): Map<string, number> {
  return new Map(ranking.places.map((p) => [p.variant, p.rank]));
}

/** The best place's variants (ties share the win). */
export function winners(ranking: MetricRanking): string[] {
  return ranking.places.filter((p) => p.rank === 1).map((p) => p.variant);
}

// ---- sensitivity: does the verdict survive the uncertain parameters? ----

/** One uncertain parameter at one level, every variant run again with it (same seed: common random numbers). */
export interface Perturbation {
  parameter: string;
  level: "low" | "high";
  value: string;
  results: Results;
}

export interface Robustness {
  /** The base winner wins under every perturbation. */
  stays: boolean;
  /** The smallest Kendall tau between the base ranking and a perturbed one, and where. */
  minTau: number;
  minTauAt?: { parameter: string; level: "low" | "high"; value: string };
  /** Perturbations under which another variant wins. */
  flips: { parameter: string; level: "low" | "high"; value: string; winners: string[] }[];
}

export interface Verdict {
  family: string;
  rule: RankRule;
  unit: string;
  winners: string[];
  winnerValue: number;
  /** The winner failed too (every variant failed): its reasons. */
  winnerFailed: string[];
  reference: string;
  referenceValue?: number;
  /** The winner against the reference, %; undefined when the reference wins or lacks the metric. */
  marginPct?: number;
  robustness?: Robustness;
}

export function verdicts(results: Results, perturbations: readonly Perturbation[] = []): Verdict[] {
  const perturbed = perturbations.map((p) => ({ p, rankings: rankFamilies(p.results) }));
  return rankFamilies(results).flatMap((fr) =>
    fr.metrics.map((m) => {
      const best = m.places[0];
      const won = winners(m);
      const verdict: Verdict = {
        family: fr.family.name,
        rule: m.rule,
        unit: m.unit,
        winners: won,
        winnerValue: best.value,
        winnerFailed: best.failed,
        reference: m.reference,
        ...(m.referenceValue === undefined ? {} : { referenceValue: m.referenceValue }),
        ...(won.includes(m.reference) || best.vsReferencePct === undefined ? {} : { marginPct: best.vsReferencePct }),
      };
      if (perturbed.length === 0) return verdict;
      const base = ranksOf(m);
      let minTau = 1;
      let minTauAt: Robustness["minTauAt"];
      const flips: Robustness["flips"] = [];
      for (const { p, rankings } of perturbed) {
        const other = rankings.find((r) => r.family.name === fr.family.name)?.metrics.find((x) => x.rule.metric === m.rule.metric);
        if (other === undefined) continue;
        const tau = kendallTau(base, ranksOf(other));
        const at = { parameter: p.parameter, level: p.level, value: p.value };
        if (tau < minTau) {
          minTau = tau;
          minTauAt = at;
        }
        const w = winners(other);
        if (!won.every((x) => w.includes(x))) flips.push({ ...at, winners: w });
      }
      return { ...verdict, robustness: { stays: flips.length === 0, minTau, ...(minTauAt === undefined ? {} : { minTauAt }), flips } };
    }),
  );
}

// ---- the verdict table, as text cells every report prints (each escapes them its own way) ----

export interface VerdictCells {
  family: string;
  metric: string;
  winner: string;
  value: string;
  vsReference: string;
  holds: string;
}

export const VERDICT_HEADER: VerdictCells = {
  family: "family",
  metric: "metric",
  winner: "winner",
  value: "value",
  vsReference: "vs reference",
  holds: "holds under uncertainty",
};

/** One row per family and ranked metric; variants named by the keys that vary within their family. */
export function verdictCells(results: Results, perturbations: readonly Perturbation[] = []): VerdictCells[] {
  const labels = new Map<string, Map<string, string>>();
  for (const f of familiesOf(results)) {
    const short = shortLabels(f.variants);
    labels.set(f.name, new Map(f.variants.map((v, i) => [v, short.labels[i]])));
  }
  const replicated = isReplicated(results);
  const stats = replicated ? new Map(seedStats(results).map((st) => [`${st.variant}\u0000${st.metric}`, st])) : undefined;
  const view = meanOverSeeds(results);
  const perturbedViews = perturbations.map((p) => ({ ...p, results: meanOverSeeds(p.results) }));
  return verdicts(view, perturbedViews).map((v) => {
    const name = (variant: string): string => labels.get(v.family)?.get(variant) ?? variant;
    const ci = stats?.get(`${v.winners[0]}\u0000${v.rule.metric}`)?.ci95;
    const paired = replicated ? pairedPct(results, v.winners[0], v.reference, v.rule.metric) : undefined;
    const winner = v.winners.map(name).join(" = ") + (v.winnerFailed.length > 0 ? ` (failed: ${v.winnerFailed.join("; ")})` : "");
    const vsReference = v.winners.includes(v.reference)
      ? "is the reference"
      : v.marginPct === undefined
        ? `reference ${name(v.reference)}: ${v.referenceValue === undefined ? "no value" : humanNumber(v.referenceValue)}`
        : paired !== undefined
          ? `${paired.mean > 0 ? "+" : ""}${humanNumber(Number(paired.mean.toFixed(1)))} ± ${humanNumber(Number(paired.ci95.toFixed(1)))} % vs ${name(v.reference)} (paired, ${results.seeds?.length} seeds)`
          : `${v.marginPct > 0 ? "+" : ""}${humanNumber(Number(v.marginPct.toFixed(1)))} % vs ${name(v.reference)}`;
    return {
      family: v.family,
      metric: `${v.rule.metric} (${v.rule.better})`,
      winner,
      value:
        ci === undefined ? humanQuantity(v.winnerValue, v.unit) : `${humanNumber(v.winnerValue)} ± ${humanNumber(Number(ci.toPrecision(3)))} ${v.unit}`.trim(),
      vsReference,
      holds: holdsText(v, name),
    };
  });
}

function holdsText(v: Verdict, name: (variant: string) => string): string {
  const r = v.robustness;
  if (r === undefined) return "not tested (bench run --sensitivity)";
  const tau = `min tau ${r.minTau.toFixed(2)}`;
  if (r.stays) return `yes (${tau})`;
  const first = r.flips[0];
  const more = r.flips.length > 1 ? ` and ${r.flips.length - 1} more` : "";
  return `no: ${first.winners.map(name).join(" = ")} wins at ${first.parameter}=${first.value} (${first.level})${more}; ${tau}`;
}
