import type { RankRule, Results } from "./results.js";

export interface Ranking {
  rule: RankRule;
  unit: string;
  /** Best first; equal values share a rank. Variants without the metric are left out. */
  places: { rank: number; variant: string; value: number }[];
}

/** The variants ordered on each of the scenario's rank metrics. */
export function rankVariants(results: Results): Ranking[] {
  const variants = results.variants ?? [...new Set(results.rows.map((r) => r.variant))];
  const order = new Map(variants.map((v, i) => [v, i]));
  return (results.rank ?? []).map((rule) => {
    const rows = results.rows.filter((r) => r.metric === rule.metric);
    const sorted = [...rows].sort((a, b) => (rule.better === "lower" ? a.value - b.value : b.value - a.value) || order.get(a.variant)! - order.get(b.variant)!);
    let rank = 0;
    const places = sorted.map((r, i) => {
      if (i === 0 || r.value !== sorted[i - 1].value) rank = i + 1;
      return { rank, variant: r.variant, value: r.value };
    });
    return { rule, unit: rows[0]?.unit ?? "", places };
  });
}

/** One rank rule as a column of the summary table: each variant's value and rank, in variant order. */
export interface RankingColumn {
  rule: RankRule;
  unit: string;
  /** Undefined where the variant lacks the metric. */
  cells: ({ rank: number; value: number } | undefined)[];
}

/** The ranking summary: rows are the variants in run order, columns the rank rules that any variant has. */
export function rankingTable(results: Results): { variants: string[]; columns: RankingColumn[] } {
  const variants = results.variants ?? [...new Set(results.rows.map((r) => r.variant))];
  const columns = rankVariants(results)
    .filter((r) => r.places.length > 0)
    .map((r) => {
      const byVariant = new Map(r.places.map((p) => [p.variant, { rank: p.rank, value: p.value }]));
      return { rule: r.rule, unit: r.unit, cells: variants.map((v) => byVariant.get(v)) };
    });
  return { variants, columns };
}

/** What a ranking column's numbers are and which way is better: "ms, lower is better". */
export function rankingNote(column: RankingColumn): string {
  return `${column.unit === "" ? "" : `${column.unit}, `}${column.rule.better} is better`;
}
