import { describe, expect, it } from "vitest";
import type { Results } from "../reports/results.js";
import { mergeShards } from "./merge.js";

/** Shard `index` of 2 of a run of variants a, b, c (round robin: shard 1 runs a and c, shard 2 runs b). */
function part(index: number, variants: string[]): Results {
  return {
    scenario: "s",
    seed: 1,
    shard: { index, count: 2, variants: ["a", "b", "c"], planSha256: "x", tool: "t" },
    rows: variants.map((variant) => ({ scenario: "s", variant, seed: 1, metric: "m", unit: "count", value: 1 })),
  };
}

describe("bench merge", () => {
  it("puts the parts' rows in run order", () => {
    expect(mergeShards([part(2, ["b"]), part(1, ["a", "c"])]).rows.map((r) => r.variant)).toEqual(["a", "b", "c"]);
  });

  it("refuses a part holding another shard's rows (they would be duplicated), or a variant the run does not have", () => {
    expect(() => mergeShards([part(1, ["a", "c", "b"]), part(2, ["b"])])).toThrow('shard 1/2 holds rows of variant "b", which belongs to shard 2/2');
    expect(() => mergeShards([part(1, ["a", "c"]), part(2, ["b", "z"])])).toThrow('shard 2/2 holds rows of variant "z", which is not a variant of this run');
  });
});
