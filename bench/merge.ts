import type { ResultRow, Results } from "../reports/results.js";

/**
 * Combines the results of `bench run --shard 1/N` ... `N/N` into the results of one unsharded run: the same
 * variants in the same order, so every report is byte-identical to the unsharded one. Throws with a message a user
 * can act on when the shards do not belong together.
 */
export function mergeShards(shards: Results[]): Results {
  if (shards.length === 0) throw new Error("no shards given");
  const first = shards[0];
  const info = first.shard;
  if (info === undefined) throw new Error('the first results.json is not a shard (it has no "shard" field)');
  const seen = new Map<number, Results>();
  for (const s of shards) {
    if (s.shard === undefined) throw new Error(`results of ${JSON.stringify(s.scenario)} without a "shard" field are not a shard`);
    if (s.scenario !== first.scenario || s.seed !== first.seed) {
      throw new Error(`shards of different runs: ${JSON.stringify(first.scenario)} seed ${first.seed} vs ${JSON.stringify(s.scenario)} seed ${s.seed}`);
    }
    if (s.shard.tool !== info.tool) {
      throw new Error(
        `shard ${s.shard.index}/${s.shard.count} was written by ${s.shard.tool ?? "an older version"}, shard ${info.index}/${info.count} by ${info.tool ?? "an older version"}: run every shard with the same version`,
      );
    }
    if (s.shard.planSha256 !== info.planSha256) {
      throw new Error(
        `shard ${s.shard.index}/${s.shard.count} and shard ${info.index}/${info.count} come from different versions of the scenario (its variants' settings differ): run every shard from the same scenario`,
      );
    }
    if (s.shard.count !== info.count || s.shard.variants.join("\n") !== info.variants.join("\n")) {
      throw new Error(`shard ${s.shard.index}/${s.shard.count} comes from a different split than ${info.index}/${info.count} (other variants or shard count)`);
    }
    if (seen.has(s.shard.index)) throw new Error(`shard ${s.shard.index}/${info.count} given twice`);
    seen.set(s.shard.index, s);
  }
  const missing = Array.from({ length: info.count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0) throw new Error(`missing shard(s) ${missing.map((i) => `${i}/${info.count}`).join(", ")}`);

  const rowsByVariant = new Map<string, ResultRow[]>();
  for (const s of shards) {
    // round robin: shard i of N ran variants i-1, i-1+N, ...
    const own = new Set(info.variants.filter((_, k) => k % info.count === s.shard!.index - 1));
    for (const r of s.rows) {
      if (!own.has(r.variant)) {
        const k = info.variants.indexOf(r.variant);
        const where = k < 0 ? "which is not a variant of this run" : `which belongs to shard ${(k % info.count) + 1}/${info.count}`;
        throw new Error(`shard ${s.shard!.index}/${info.count} holds rows of variant ${JSON.stringify(r.variant)}, ${where}`);
      }
      let list = rowsByVariant.get(r.variant);
      if (list === undefined) rowsByVariant.set(r.variant, (list = []));
      list.push(r);
    }
  }
  const rows: ResultRow[] = [];
  for (const v of info.variants) {
    const list = rowsByVariant.get(v);
    if (list === undefined) throw new Error(`no shard holds the results of variant ${JSON.stringify(v)}`);
    rows.push(...list);
  }
  return {
    scenario: first.scenario,
    seed: first.seed,
    variants: [...info.variants],
    assumptions: first.assumptions,
    rank: first.rank,
    ...(first.families === undefined ? {} : { families: first.families }),
    gate: first.gate,
    rows,
  };
}
