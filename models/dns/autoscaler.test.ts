import { describe, expect, it } from "vitest";
import { AKS_DEFAULT_LADDER, DEFAULT_LINEAR_PARAMS, ladderReplicas, ladderStep, linearParamsProblems, linearReplicas, uniformCluster } from "./autoscaler.js";

describe("linear mode (docs/sources.md §5)", () => {
  it("reproduces the docs/sources.md §5 table", () => {
    expect(linearReplicas(uniformCluster(15_000, 8))).toBe(938);
    expect(linearReplicas(uniformCluster(15_000, 16))).toBe(938);
    expect(linearReplicas(uniformCluster(15_000, 32))).toBe(1_875);
    expect(linearReplicas(uniformCluster(5_000, 8))).toBe(313);
    expect(linearReplicas(uniformCluster(5_000, 16))).toBe(313);
    expect(linearReplicas(uniformCluster(5_000, 32))).toBe(625);
    expect(DEFAULT_LINEAR_PARAMS).toMatchObject({ coresPerReplica: 256, nodesPerReplica: 16, preventSinglePointFailure: true });
  });

  it("prevents a single point of failure above one node", () => {
    expect(linearReplicas(uniformCluster(1, 4))).toBe(1);
    expect(linearReplicas(uniformCluster(2, 4))).toBe(2);
    expect(linearReplicas(uniformCluster(2, 4), { preventSinglePointFailure: false })).toBe(1);
    // As in CPA the floor of 2 comes after the max clamp.
    expect(linearReplicas(uniformCluster(3, 4), { max: 1 })).toBe(2);
  });

  it("clamps to [min, max], max 0 unbounded, min 0 treated as 1, float ratios", () => {
    expect(linearReplicas(uniformCluster(15_000, 16), { max: 100 })).toBe(100);
    expect(linearReplicas(uniformCluster(10, 4), { min: 5 })).toBe(5);
    expect(linearReplicas(uniformCluster(0, 0), { min: 0, preventSinglePointFailure: false })).toBe(1);
    expect(linearReplicas(uniformCluster(100, 4), { nodesPerReplica: 0, coresPerReplica: 2.5 })).toBe(160);
  });

  it("counts unschedulable nodes only when asked", () => {
    const c = { schedulableNodes: 160, schedulableCores: 640, totalNodes: 320, totalCores: 1280 };
    expect(linearReplicas(c)).toBe(10);
    expect(linearReplicas(c, { includeUnschedulableNodes: true })).toBe(20);
  });

  it("rejects what CPA rejects", () => {
    expect(linearParamsProblems({ coresPerReplica: 0, nodesPerReplica: 0 })).toHaveLength(1);
    expect(() => linearReplicas(uniformCluster(10, 4), { min: 5, max: 3 })).toThrow(/max replicas/);
    expect(() => linearReplicas(uniformCluster(10, 4), { nodesPerReplica: -1 })).toThrow(/negative/);
  });
});

describe("ladder mode", () => {
  it("takes the last step at or below the count; the first step also applies below it", () => {
    expect(ladderStep(0, AKS_DEFAULT_LADDER.nodesToReplicas)).toBe(2);
    expect(ladderStep(7, AKS_DEFAULT_LADDER.nodesToReplicas)).toBe(2);
    expect(ladderStep(8, AKS_DEFAULT_LADDER.nodesToReplicas)).toBe(3);
    expect(ladderStep(5, [])).toBe(0);
  });
  it("AKS default ladder tops out at 5 replicas (docs/sources.md §5)", () => {
    expect(ladderReplicas(uniformCluster(3, 4), AKS_DEFAULT_LADDER)).toBe(2);
    expect(ladderReplicas(uniformCluster(20, 4), AKS_DEFAULT_LADDER)).toBe(4);
    expect(ladderReplicas(uniformCluster(15_000, 16), AKS_DEFAULT_LADDER)).toBe(5);
    expect(
      ladderReplicas(uniformCluster(4, 600), {
        coresToReplicas: [
          [1, 1],
          [2048, 7],
        ],
        nodesToReplicas: [],
      }),
    ).toBe(7);
    expect(() => ladderReplicas(uniformCluster(1, 1), { coresToReplicas: [[-1, 2]], nodesToReplicas: [] })).toThrow();
  });
});
