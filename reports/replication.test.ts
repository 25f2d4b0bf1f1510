import { describe, expect, it } from "vitest";
import { meanCi, meanOverSeeds, pairedPct, t95 } from "./replication.js";
import type { Results } from "./results.js";

describe("replication", () => {
  it("gives the mean and the 95% interval's half-width, t x s / sqrt(n)", () => {
    // 1, 2, 3, 4: mean 2.5; s^2 = (2.25 + 0.25 + 0.25 + 2.25) / 3 = 5/3; t(3 df) = 3.182; 3.182 x sqrt(5/3) / 2 = 2.0540
    const { mean, ci95 } = meanCi([1, 2, 3, 4]);
    expect(mean).toBe(2.5);
    expect(ci95).toBeCloseTo((3.182 * Math.sqrt(5 / 3)) / 2, 10);
    expect(meanCi([7])).toEqual({ mean: 7, ci95: 0 });
    expect(t95(1)).toBe(12.706);
    expect(t95(100)).toBe(1.96);
  });

  it("pairs seeds: the difference seed by seed, in % of the reference", () => {
    const row = (variant: string, seed: number, value: number) => ({ scenario: "s", variant, seed, metric: "npl.p99_s", unit: "s", value });
    const results: Results = {
      scenario: "s",
      seed: 1,
      seeds: [1, 2, 3],
      // the reference moves with the seed (10, 20, 40); b is always 10 % below it: paired, exactly -10 % with no spread,
      // where the unpaired means (23.3 vs 21) would carry the seeds' spread
      rows: [row("ref", 1, 10), row("b", 1, 9), row("ref", 2, 20), row("b", 2, 18), row("ref", 3, 40), row("b", 3, 36)],
    };
    const d = pairedPct(results, "b", "ref", "npl.p99_s")!;
    expect(d.mean).toBeCloseTo(-10, 12);
    expect(d.ci95).toBeCloseTo(0, 12);
    expect(meanOverSeeds(results).rows.map((r) => [r.variant, r.value])).toEqual([
      ["ref", 70 / 3],
      ["b", 21],
    ]);
  });
});
