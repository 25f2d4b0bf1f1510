import type { Results } from "./results.js";

/**
 * results.json: `{"scenario":..., "seed":..., "variants":[...], "assumptions":[...], "rank":[...], "gate":[...], "rows":[{scenario,
 * variant, seed, metric, unit, value}]}`, keys in that order ("seeds" after "seed" in a replicated run, "families"
 * after "rank" when the scenario has them, "shard" before "rows" in a shard's), one row per line so diffs of committed
 * baselines stay readable.
 */
export function toJson(results: Results): string {
  const head = {
    scenario: results.scenario,
    seed: results.seed,
    ...(results.seeds === undefined ? {} : { seeds: results.seeds }),
    variants: results.variants ?? [...new Set(results.rows.map((r) => r.variant))],
    assumptions: results.assumptions ?? [],
    rank: results.rank ?? [],
    ...(results.families === undefined ? {} : { families: results.families }),
    gate: results.gate ?? [],
    ...(results.shard === undefined ? {} : { shard: results.shard }),
  };
  const rows = results.rows.map((r) =>
    JSON.stringify({ scenario: r.scenario, variant: r.variant, seed: r.seed, metric: r.metric, unit: r.unit, value: Object.is(r.value, -0) ? 0 : r.value }),
  );
  const headText = JSON.stringify(head, null, 2).slice(0, -2);
  const body = rows.length === 0 ? "[]" : `[\n    ${rows.join(",\n    ")}\n  ]`;
  return `${headText},\n  "rows": ${body}\n}\n`;
}

/** Reads results.json back (for `bench gate`, `bench merge`, reports). */
export function fromJson(text: string): Results {
  const data = JSON.parse(text) as Results;
  if (typeof data !== "object" || data === null || !Array.isArray(data.rows) || typeof data.scenario !== "string") {
    throw new Error('not a results.json: expected an object with "scenario" and "rows"');
  }
  return data;
}
