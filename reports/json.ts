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

/** Reads results.json back (for `bench gate`, `bench merge`, `bench compare`), checking every field it relies on. */
export function fromJson(text: string): Results {
  const data = JSON.parse(text) as Results;
  if (typeof data !== "object" || data === null || !Array.isArray(data.rows) || typeof data.scenario !== "string") {
    throw new Error('not a results.json: expected an object with "scenario" and "rows"');
  }
  const show = (v: unknown): string => JSON.stringify(v) ?? String(v);
  if (!Number.isSafeInteger(data.seed)) throw new Error(`seed: must be an integer (got ${show(data.seed)})`);
  data.rows.forEach((r, i) => {
    if (typeof r !== "object" || r === null) throw new Error(`rows[${i}]: must be an object`);
    for (const f of ["scenario", "variant", "metric", "unit"] as const) {
      if (typeof r[f] !== "string") throw new Error(`rows[${i}].${f}: must be a string (got ${show(r[f])})`);
    }
    if (!Number.isSafeInteger(r.seed)) throw new Error(`rows[${i}].seed: must be an integer (got ${show(r.seed)})`);
    if (typeof r.value !== "number" || !Number.isFinite(r.value)) throw new Error(`rows[${i}].value: must be a finite number (got ${show(r.value)})`);
  });
  if (data.variants !== undefined && !isStringArray(data.variants)) throw new Error("variants: must be a list of variant labels");
  const shard = data.shard as unknown;
  if (shard !== undefined) {
    const sh = shard as { index?: unknown; count?: unknown; variants?: unknown };
    if (typeof shard !== "object" || shard === null || !Number.isSafeInteger(sh.index) || !Number.isSafeInteger(sh.count) || !isStringArray(sh.variants)) {
      throw new Error('shard: must be {"index": i, "count": N, "variants": [labels]}');
    }
  }
  return data;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}
