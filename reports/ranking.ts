/**
 * The ranking tables: one per family, its variants down (named by the keys that vary within it), its ranked metrics
 * across; each cell the value, its rank in the family and its difference from the family's reference. Pure.
 */
import type { RankRule, Results } from "./results.js";
import { shortLabels } from "./variant-labels.js";
import { rankFamilies } from "./verdict.js";

export interface RankingColumn {
  rule: RankRule;
  unit: string;
  /** Per variant of the family (its order); undefined where the variant lacks the metric. */
  cells: ({ rank: number; value: number; vsReferencePct?: number } | undefined)[];
}

export interface FamilyTable {
  family: string;
  /** Short labels, in the family's order; the full labels beside them. */
  labels: string[];
  variants: string[];
  reference: string;
  /** Why each variant failed (empty when it did not). */
  failed: string[][];
  columns: RankingColumn[];
}

export function rankingTables(results: Results): FamilyTable[] {
  return rankFamilies(results)
    .filter((f) => f.metrics.length > 0)
    .map((f) => {
      const variants = f.family.variants;
      const failed = new Map<string, string[]>();
      for (const m of f.metrics) for (const p of m.places) failed.set(p.variant, p.failed);
      return {
        family: f.family.name,
        labels: shortLabels(variants).labels,
        variants,
        reference: f.family.reference,
        failed: variants.map((v) => failed.get(v) ?? []),
        columns: f.metrics.map((m) => {
          const byVariant = new Map(m.places.map((p) => [p.variant, p]));
          return {
            rule: m.rule,
            unit: m.unit,
            cells: variants.map((v) => {
              const p = byVariant.get(v);
              return p === undefined
                ? undefined
                : { rank: p.rank, value: p.value, ...(p.vsReferencePct === undefined ? {} : { vsReferencePct: p.vsReferencePct }) };
            }),
          };
        }),
      };
    });
}

/** What a ranking column's numbers are and which way is better: "ms, lower is better". */
export function rankingNote(column: RankingColumn): string {
  return `${column.unit === "" ? "" : `${column.unit}, `}${column.rule.better} is better`;
}

/** "-12.5 %" (the reference itself: empty). */
export function vsReferenceText(pct: number | undefined): string {
  if (pct === undefined || pct === 0) return "";
  const rounded = Math.abs(pct) >= 100 ? Math.round(pct) : Number(pct.toFixed(1));
  return `${rounded > 0 ? "+" : ""}${rounded} %`;
}
