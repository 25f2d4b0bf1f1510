import { describe, expect, it } from "vitest";
import ciSmoke from "../scenarios/ci-smoke.js";
import { planScenario } from "./load.js";
import { distinctRuns, planRun } from "./runner.js";

describe("planning a run", () => {
  it("runs identical scenarios once: the central DNS placement is the k8s/100 variant", () => {
    const plan = planRun(planScenario(ciSmoke, "scenarios/ci-smoke.ts"));
    const { runs, runOf } = distinctRuns(plan);
    expect(plan.variants).toHaveLength(18);
    expect(runs.variants).toHaveLength(17);
    const label = (i: number): string => plan.variants[i].label;
    const central = plan.variants.findIndex((v) => v.label === "dns.placement=central");
    expect(runs.variants[runOf[central]].label).toBe("controller.algorithm=k8s,controller.maxEndpointsPerSlice=100");
    // every other variant runs itself
    expect(plan.variants.map((_, i) => i).filter((i) => runs.variants[runOf[i]].label !== label(i))).toEqual([central]);
  });

  it("shards round robin over the selected variants", () => {
    const loaded = planScenario(ciSmoke, "scenarios/ci-smoke.ts");
    const all = planRun(loaded).variants.map((v) => v.label);
    const parts = [1, 2, 3].map((index) => planRun(loaded, { shard: { index, count: 3 } }).variants.map((v) => v.label));
    expect(parts.map((p) => p.length)).toEqual([6, 6, 6]);
    expect(parts[1][0]).toBe(all[1]);
    expect(parts.flat().sort()).toEqual([...all].sort());
  });
});
