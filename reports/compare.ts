/**
 * `bench compare`: two runs side by side, any two (another seed, another commit, another scenario version). Per
 * variant and metric both values, the absolute and relative difference, largest relative change first. Pure.
 */
import { escapeMarkdown } from "./markdown.js";
import type { Results } from "./results.js";
import { humanNumber } from "./table.js";

export interface Difference {
  variant: string;
  metric: string;
  unit: string;
  base?: number;
  current?: number;
  /** current - base. */
  delta?: number;
  /** delta / |base| x 100; Infinity from 0 to non-zero; undefined when either side lacks the metric. */
  pct?: number;
}

/**
 * Every (variant, metric) either run has, series points left out unless `series`: the changed ones by size of the
 * relative change (from or to 0 first), then the missing and new ones, then the unchanged, each in run order.
 */
export function compareRuns(base: Results, current: Results, options: { series?: boolean } = {}): Difference[] {
  const key = (variant: string, metric: string): string => `${variant}\u0000${metric}`;
  const keep = (metric: string): boolean => options.series === true || !metric.includes("@");
  const now = new Map(current.rows.filter((r) => keep(r.metric)).map((r) => [key(r.variant, r.metric), r]));
  const out: Difference[] = [];
  const seen = new Set<string>();
  for (const b of base.rows) {
    if (!keep(b.metric)) continue;
    const k = key(b.variant, b.metric);
    seen.add(k);
    const c = now.get(k);
    if (c === undefined) {
      out.push({ variant: b.variant, metric: b.metric, unit: b.unit, base: b.value });
      continue;
    }
    const delta = c.value - b.value;
    const pct = delta === 0 ? 0 : b.value === 0 ? Number.POSITIVE_INFINITY * Math.sign(delta) : (delta / Math.abs(b.value)) * 100;
    out.push({ variant: b.variant, metric: b.metric, unit: b.unit, base: b.value, current: c.value, delta, pct });
  }
  for (const [k, c] of now) if (!seen.has(k)) out.push({ variant: c.variant, metric: c.metric, unit: c.unit, current: c.value });
  const order = new Map(out.map((d, i) => [d, i]));
  const group = (d: Difference): number => (d.pct === undefined ? 1 : d.pct === 0 ? 2 : 0);
  return out.sort((a, b) => group(a) - group(b) || Math.abs(b.pct ?? 0) - Math.abs(a.pct ?? 0) || order.get(a)! - order.get(b)!);
}

function pctText(d: Difference): string {
  if (d.pct === undefined) return d.base === undefined ? "new" : "missing";
  if (!Number.isFinite(d.pct)) return d.pct > 0 ? "from 0" : "to 0";
  return `${d.pct > 0 ? "+" : ""}${humanNumber(Number(d.pct.toFixed(2)))} %`;
}

function cells(d: Difference): string[] {
  return [d.variant, d.metric, humanNumber(d.base), humanNumber(d.current), d.delta === undefined ? "" : humanNumber(d.delta), pctText(d), d.unit];
}

const HEADER = ["variant", "metric", "base", "new", "difference", "%", "unit"];

/** The changed rows (all when `all`), at most `limit`, as a terminal table. */
export function compareText(diffs: readonly Difference[], limit = 40, all = false): string {
  const shown = diffs.filter((d) => all || d.pct !== 0).slice(0, limit);
  const same = diffs.filter((d) => d.pct === 0).length;
  if (shown.length === 0) return `no differences (${same} metrics compared)\n`;
  const rows = shown.map(cells);
  const widths = HEADER.map((h, i) => Math.min(i === 0 ? 40 : 60, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const clip = (s: string, w: number): string => (s.length > w ? `${s.slice(0, w - 1)}…` : s);
  const line = (r: string[]): string =>
    r
      .map((c, i) => (i >= 2 && i <= 5 ? clip(c, widths[i]).padStart(widths[i]) : clip(c, widths[i]).padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const changed = diffs.length - same;
  return `${[line(HEADER), ...rows.map(line)].join("\n")}\n${changed} of ${diffs.length} metrics differ${changed > shown.length ? ` (the ${shown.length} largest shown)` : ""}\n`;
}

export function compareMarkdown(base: string, current: string, diffs: readonly Difference[], limit = 50): string {
  const shown = diffs.filter((d) => d.pct !== 0).slice(0, limit);
  const changed = diffs.filter((d) => d.pct !== 0).length;
  const head = `## ${escapeMarkdown(base)} → ${escapeMarkdown(current)}\n\n${changed} of ${diffs.length} metrics differ${changed > shown.length ? `; the ${shown.length} largest:` : ""}`;
  if (shown.length === 0) return `${head}\n`;
  const line = (c: string[]): string => `| ${c.join(" | ")} |`;
  return `${head}\n\n${line(HEADER)}\n| --- | --- | ---: | ---: | ---: | ---: | --- |\n${shown.map((d) => line(cells(d).map(escapeMarkdown))).join("\n")}\n`;
}
