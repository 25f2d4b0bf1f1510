import { describe, expect, it } from "vitest";
import type { Results } from "./results.js";
import { kendallTau, rankFamilies, verdicts, type Perturbation } from "./verdict.js";

/** A run of three packing variants and two placements; `values` gives each variant's npl.p99_s. */
function run(p99: Record<string, number>, extra: Record<string, Record<string, number>> = {}): Results {
  const rows = Object.entries(p99).flatMap(([variant, value]) => [
    { scenario: "s", variant, seed: 1, metric: "npl.p99_s", unit: "s", value },
    ...Object.entries(extra[variant] ?? {}).map(([metric, v]) => ({ scenario: "s", variant, seed: 1, metric, unit: "count", value: v })),
  ]);
  return {
    scenario: "s",
    seed: 1,
    rows,
    variants: Object.keys(p99),
    rank: [{ metric: "npl.p99_s", better: "lower" }],
    families: [{ name: "packing", variants: ["k8s", "compact", "zone-affine"], reference: "k8s" }],
  };
}

describe("rankings per family", () => {
  it("ranks failed variants after the others, with the reason, and shows each value against the reference", () => {
    // zone-affine is fastest but etcd rejected its writes: it ranks last; compact (20 s) beats k8s (40 s) by -50 %
    const [fr] = rankFamilies(run({ k8s: 40, compact: 20, "zone-affine": 10 }, { "zone-affine": { "etcd.rejected_writes": 3 } }));
    expect(fr.metrics[0].places.map((p) => [p.rank, p.variant, p.vsReferencePct, p.failed])).toEqual([
      [1, "compact", -50, []],
      [2, "k8s", 0, []],
      [3, "zone-affine", -75, ["writes rejected by etcd: 3"]],
    ]);
  });
});

describe("failure severity", () => {
  it("ranks a variant that missed the SLO after one that met it, and one that lost writes after both", () => {
    // fastest first by value: zone-affine 10 (lost writes), compact 20 (SLO missed), k8s 40 (SLO met)
    const [fr] = rankFamilies(
      run(
        { k8s: 40, compact: 20, "zone-affine": 10 },
        { k8s: { "npl.slo_met": 1 }, compact: { "npl.slo_met": 0 }, "zone-affine": { "npl.slo_met": 0, "etcd.rejected_writes": 1 } },
      ),
    );
    expect(fr.metrics[0].places.map((p) => [p.rank, p.variant, p.severity, p.failed])).toEqual([
      [1, "k8s", 0, []],
      [2, "compact", 1, ["NPL SLO missed"]],
      [3, "zone-affine", 2, ["writes rejected by etcd: 1", "NPL SLO missed"]],
    ]);
  });
});

describe("failures by part of the model", () => {
  it("does not hold a DNS failure against a control-plane ranking", () => {
    // zone-affine's lookups failed (the DNS part), not its control plane: it still wins on npl.p99_s
    const [fr] = rankFamilies(run({ k8s: 40, compact: 20, "zone-affine": 10 }, { "zone-affine": { "dns.failures": 5 } }));
    expect(fr.metrics[0].places.map((p) => [p.variant, p.failed])).toEqual([
      ["zone-affine", []],
      ["compact", []],
      ["k8s", []],
    ]);
  });
});

describe("Kendall's tau-b", () => {
  it("is 1 for the same order, -1 reversed, and counts discordant pairs", () => {
    const r = (...vs: string[]): Map<string, number> => new Map(vs.map((v, i) => [v, i + 1]));
    expect(kendallTau(r("a", "b", "c"), r("a", "b", "c"))).toBe(1);
    expect(kendallTau(r("a", "b", "c"), r("c", "b", "a"))).toBe(-1);
    // one swapped pair of three: 2 concordant, 1 discordant -> (2 - 1) / 3
    expect(kendallTau(r("a", "b", "c"), r("b", "a", "c"))).toBeCloseTo(1 / 3, 12);
    // with a tie in the second: pairs (a,b) tied in b only; (a,c), (b,c) concordant -> 2 / sqrt(3 x 2)
    expect(
      kendallTau(
        r("a", "b", "c"),
        new Map([
          ["a", 1],
          ["b", 1],
          ["c", 3],
        ]),
      ),
    ).toBeCloseTo(2 / Math.sqrt(6), 12);
  });
});

describe("verdicts under uncertainty", () => {
  const base = run({ k8s: 40, compact: 20, "zone-affine": 30 });
  const perturb = (parameter: string, level: "low" | "high", p99: Record<string, number>): Perturbation => ({
    parameter,
    level,
    value: level,
    results: run(p99),
  });

  it("calls a verdict robust when no perturbation changes the winner", () => {
    const [v] = verdicts(base, [
      perturb("apiserver.egressBandwidth", "low", { k8s: 400, compact: 200, "zone-affine": 300 }),
      perturb("apiserver.egressBandwidth", "high", { k8s: 4, compact: 2, "zone-affine": 3 }),
    ]);
    expect(v.winners).toEqual(["compact"]);
    expect(v.marginPct).toBe(-50);
    expect(v.robustness).toEqual({ stays: true, minTau: 1, flips: [] });
  });

  it("calls it fragile, naming the parameter and level that flip it and the smallest tau", () => {
    const [v] = verdicts(base, [
      perturb("apiserver.egressBandwidth", "high", { k8s: 4, compact: 2, "zone-affine": 3 }),
      // at the low controller QPS zone-affine wins: order zone-affine, compact, k8s against compact, zone-affine, k8s
      perturb("controllerManager.qps", "low", { k8s: 90, compact: 80, "zone-affine": 70 }),
    ]);
    expect(v.robustness?.stays).toBe(false);
    expect(v.robustness?.flips).toEqual([{ parameter: "controllerManager.qps", level: "low", value: "low", winners: ["zone-affine"] }]);
    expect(v.robustness?.minTau).toBeCloseTo(1 / 3, 12);
    expect(v.robustness?.minTauAt).toEqual({ parameter: "controllerManager.qps", level: "low", value: "low" });
  });
});
