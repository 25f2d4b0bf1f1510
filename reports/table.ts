import type { ResultRow, Results } from "./results.js";

/** One metric across variants: the shape every summary (terminal, Markdown, HTML) starts from. */
export interface MetricLine {
  metric: string;
  unit: string;
  values: (number | undefined)[];
}

/** Metrics (time-series points excluded) by variant, in first-appearance order. */
export function pivot(results: Results, include: (r: ResultRow) => boolean = (r) => !r.metric.includes("@")): { variants: string[]; lines: MetricLine[] } {
  const variants = results.variants ?? [...new Set(results.rows.map((r) => r.variant))];
  const col = new Map(variants.map((v, i) => [v, i]));
  const byMetric = new Map<string, MetricLine>();
  for (const r of results.rows) {
    if (!include(r)) continue;
    let line = byMetric.get(r.metric);
    if (line === undefined) {
      line = { metric: r.metric, unit: r.unit, values: new Array(variants.length).fill(undefined) };
      byMetric.set(r.metric, line);
    }
    const c = col.get(r.variant);
    if (c !== undefined) line.values[c] = r.value;
  }
  return { variants, lines: [...byMetric.values()] };
}

/** A number for people: integers grouped by thousands, other values to 4 significant digits. */
export function humanNumber(v: number | undefined): string {
  if (v === undefined) return "";
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return groupThousands(v);
  const a = Math.abs(v);
  if (a >= 1e6 || (a !== 0 && a < 1e-3)) return v.toExponential(3);
  return String(Number(v.toPrecision(4)));
}

function groupThousands(v: number): string {
  const digits = String(Math.abs(v));
  const groups: string[] = [];
  for (let end = digits.length; end > 0; end -= 3) groups.unshift(digits.slice(Math.max(0, end - 3), end));
  return (v < 0 ? "-" : "") + groups.join(",");
}

/** A value with its unit for a sentence: bytes with a decimal SI prefix (101.4 GB), others as humanNumber. */
export function humanQuantity(v: number, unit: string): string {
  if (unit !== "bytes" || Math.abs(v) < 1000) return `${humanNumber(v)} ${unit}`.trim();
  const prefixes = ["kB", "MB", "GB", "TB", "PB", "EB"];
  let i = -1;
  let x = v;
  while (Math.abs(x) >= 1000 && i < prefixes.length - 1) {
    x /= 1000;
    i++;
  }
  return `${Number(x.toPrecision(4))} ${prefixes[i]}`;
}
