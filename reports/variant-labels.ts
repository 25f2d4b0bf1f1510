/**
 * Short names for variants in a chart. Labels are `key=value,key=value` (bench/variants.ts); a chart shows only the
 * values of the keys that differ between its variants, and names those keys once, in its subtitle.
 */
export interface ShortLabels {
  /** One per variant, in the order given. */
  labels: string[];
  /** The keys whose values the labels show; empty when the labels are the full variant labels. */
  keys: string[];
}

export function shortLabels(variants: string[]): ShortLabels {
  const parsed = variants.map(parseLabel);
  if (parsed.some((p) => p === undefined)) return { labels: variants, keys: [] };
  const assignments = parsed as Map<string, string>[];
  const keys = [...new Set(assignments.flatMap((a) => [...a.keys()]))];
  const varying = keys.filter((k) => new Set(assignments.map((a) => a.get(k))).size > 1);
  if (varying.length === 0) return { labels: variants, keys: [] };
  const labels = assignments.map((a) => varying.map((k) => a.get(k) ?? "–").join(", "));
  if (new Set(labels).size < labels.length) return { labels: variants, keys: [] };
  return { labels, keys: varying };
}

/** `a.b=1,c=x` -> {a.b: 1, c: x}, keys being dotted paths; a comma belongs to a value unless a `key=` follows it. */
function parseLabel(label: string): Map<string, string> | undefined {
  const out = new Map<string, string>();
  for (const part of label.split(/,(?=[\w.-]+=)/)) {
    const assignment = /^([\w.-]+)=(.*)$/s.exec(part);
    if (assignment === null) return undefined;
    out.set(assignment[1], assignment[2]);
  }
  return out;
}
