/**
 * The node lifecycle and taint eviction controllers against upstream's behaviour (pkg/controller/nodelifecycle,
 * pkg/controller/tainteviction): grace period, MarkPodsNotReady through the controller's rate-limited client, zone
 * states and their NoExecute tainting rates, eviction after the toleration. The cluster runs as the model runs it
 * (cluster-dynamics.ts, configured from a scenario).
 */
import { describe, expect, it } from "vitest";
import { planScenario } from "../../bench/load.js";
import { networkConfig } from "../../bench/runner.js";
import type { ScenarioInput } from "../../bench/scenario.js";
import type { NetworkScenario } from "../../bench/schema.js";
import { RandomStreams } from "../../engine/random.js";
import { Simulation } from "../../engine/simulation.js";
import { s } from "../../engine/time.js";
import { Cluster } from "../cluster/cluster.js";
import { ClusterDynamics } from "../network/cluster-dynamics.js";
import { zoneEvictionRate, zoneState } from "./node-lifecycle.js";

interface Run {
  sim: Simulation;
  cluster: Cluster;
  dynamics: ClusterDynamics;
  /** When each pod write that marked a pod NotReady happened (backends and the others, µs). */
  marks: number[];
  /** When each node got its NoExecute taint, and which. */
  taints: { node: number; at: number }[];
}

function start(input: Partial<ScenarioInput> & { cluster: { nodes: number } }): Run {
  const scenario = planScenario({ name: "node-lifecycle", model: "network", duration: "2h", services: [{ name: "web", replicas: 0 }], ...input }, "test")
    .base as NetworkScenario;
  const config = networkConfig(scenario);
  const sim = new Simulation();
  const rng = new RandomStreams(11);
  const cluster = new Cluster(config.cluster, rng.stream("cluster/placement"), rng.stream("cluster/replicas"));
  cluster.populate(0);
  const marks: number[] = [];
  const taints: { node: number; at: number }[] = [];
  const sink = { podWritten: () => {}, podRemoved: () => {}, counted: () => {}, nodeUp: () => {} };
  const dynamics = new ClusterDynamics(sim, cluster, rng, config, sink);
  const nl = dynamics.nodeLifecycle;
  nl.onPodMarked = () => marks.push(sim.now);
  const inner = dynamics.taintEviction;
  nl.taintListener = {
    nodeTainted: (node) => {
      taints.push({ node, at: sim.now });
      inner.nodeTainted(node);
    },
    nodeUntainted: (node) => inner.nodeUntainted(node),
  };
  return { sim, cluster, dynamics, marks, taints };
}

function zoneNodes(cluster: Cluster, zone: number, count = Infinity): number[] {
  const out: number[] = [];
  for (let n = 0; n < cluster.nodes && out.length < count; n++) if (cluster.nodeZone[n] === zone) out.push(n);
  return out;
}

describe("MarkPodsNotReady through the controller's client", () => {
  // 300 nodes of 100 pods: 30,000 pods. v1.18: one worker, no per-pod Event. Each node costs 3 calls before its pods
  // (UpdateStatus to Unknown, the NoSchedule taint's GET and PATCH), each Ready pod one UpdateStatus, all through one
  // token bucket of 20 QPS (burst 30): (30,000 + 300 x 3) / 20 = 1,545 s from first to last mark.
  it("marks 30,000 pods at 20 QPS in 1,500 s (+3% for the node calls)", () => {
    const r = start({ cluster: { nodes: 300, zones: 1, podsPerNode: 100, kubernetesVersion: "1.18" }, controllerManager: { qps: 20, burst: 30 } });
    r.sim.schedule(s(60), () => r.dynamics.nodesDown(zoneNodes(r.cluster, 0)));
    r.sim.run({ until: s(4000) });
    expect(r.marks).toHaveLength(30_000);
    const duration = (r.marks[r.marks.length - 1] - r.marks[0]) / 1e6;
    expect(Math.abs(duration - 1500) / 1500).toBeLessThanOrEqual(0.05);
    expect(Math.abs(duration - 1545) / 1545).toBeLessThanOrEqual(0.01);
  }, 60_000);

  // From v1.19 every marked pod also gets a NodeNotReady Event, written by the controller's event broadcaster through
  // the same client: one goroutine among the 8 node workers, so it takes 1 token in 9 while both wait, and marking
  // runs at 8/9 of the QPS: (30,000 + 900) x 9/8 / 20 = 1,738 s.
  it("marks them at 8/9 of the QPS from v1.19: the per-pod Events share the client (1,738 s)", () => {
    const r = start({ cluster: { nodes: 300, zones: 1, podsPerNode: 100, kubernetesVersion: "1.34" }, controllerManager: { qps: 20, burst: 30 } });
    r.sim.schedule(s(60), () => r.dynamics.nodesDown(zoneNodes(r.cluster, 0)));
    r.sim.run({ until: s(4000) });
    expect(r.marks).toHaveLength(30_000);
    const duration = (r.marks[r.marks.length - 1] - r.marks[0]) / 1e6;
    expect(Math.abs(duration - 1738) / 1738).toBeLessThanOrEqual(0.03);
    expect(r.dynamics.nodeLifecycle.events.dropped).toBeGreaterThan(0); // the broadcaster's 1,000-event queue overflows
  }, 60_000);

  it("marks every pod of the node, Service backends or not", () => {
    const r = start({ cluster: { nodes: 6, zones: 3, podsPerNode: 30 }, services: [{ name: "web", replicas: 40 }] });
    const down = zoneNodes(r.cluster, 1);
    const backends = r.cluster.services[0].pods.filter((p) => down.includes(r.cluster.podNode[p]));
    expect(backends.length).toBeGreaterThan(0);
    r.sim.schedule(s(60), () => r.dynamics.nodesDown(down));
    r.sim.run({ until: s(300) });
    for (const p of backends) expect(r.cluster.podReady[p]).toBe(0);
    for (const n of down) expect(r.cluster.nodeOtherReady[n]).toBe(0);
    // 2 nodes x 30 pods, all Ready
    expect(r.marks).toHaveLength(60);
    expect(r.dynamics.nodeLifecycle.podsMarked).toBe(60);
  });
});

describe("--node-monitor-grace-period", () => {
  for (const [version, grace] of [
    ["1.34", 50],
    ["1.31", 40],
  ] as const) {
    it(`is ${grace} s in v${version}: a node is NotReady at the first pass after its last renewal + ${grace} s`, () => {
      const r = start({ cluster: { nodes: 3, zones: 3, podsPerNode: 1, kubernetesVersion: version } });
      r.sim.schedule(s(100), () => r.dynamics.nodesDown([1]));
      r.sim.run({ until: s(200) });
      expect(r.marks).toHaveLength(1);
      const lastRenewal = r.dynamics.nodeLifecycle.lastRenewal(1);
      expect(lastRenewal).toBeGreaterThan(s(90)); // renewed every 10 s until it went down
      expect(lastRenewal).toBeLessThanOrEqual(s(100));
      // not before the grace period ran out; at the latest one monitor period (5 s) and a request later
      expect(r.marks[0]).toBeGreaterThan(lastRenewal + s(grace));
      expect(r.marks[0]).toBeLessThanOrEqual(lastRenewal + s(grace + 5) + s(0.2));
    });
  }
});

describe("zone states and NoExecute tainting rates (ComputeZoneState, setLimiterInZone)", () => {
  const c = { evictionRate: 0.1, secondaryEvictionRate: 0.01, largeClusterSizeThreshold: 50 };
  it("computes the states as upstream", () => {
    expect(zoneState(10, 0, 0.55)).toBe("normal");
    expect(zoneState(0, 10, 0.55)).toBe("full");
    expect(zoneState(4, 6, 0.55)).toBe("partial"); // 6/10 >= 0.55 and more than 2 not ready
    expect(zoneState(1, 2, 0.55)).toBe("normal"); // 2/3 of the zone, but not more than 2 nodes
    expect(zoneState(5, 5, 0.55)).toBe("normal"); // 0.5 < 0.55
    expect(zoneEvictionRate("normal", 1000, c)).toBe(0.1);
    expect(zoneEvictionRate("full", 1000, c)).toBe(0.1); // HealthyQPSFunc: a fully disrupted zone evicts at the normal rate
    expect(zoneEvictionRate("partial", 51, c)).toBe(0.01); // large zone: secondary rate
    expect(zoneEvictionRate("partial", 50, c)).toBe(0); // small zone: no eviction
  });

  /** Taint times of a run where `down` nodes go down at 60 s and stay down. */
  function taintGaps(input: Parameters<typeof start>[0], down: (c: Cluster) => number[], until = 2000): { gaps: number[]; r: Run } {
    const r = start(input);
    r.sim.schedule(s(60), () => r.dynamics.nodesDown(down(r.cluster)));
    r.sim.run({ until: s(until) });
    const at = r.taints.map((t) => t.at / 1e6);
    return { gaps: at.slice(1).map((t, i) => t - at[i]), r };
  }

  it("normal zone: one node every 10 s (--node-eviction-rate 0.1)", () => {
    // 2 of 30 nodes of a zone: 7% not ready, normal
    const { gaps, r } = taintGaps({ cluster: { nodes: 90, zones: 3, podsPerNode: 1 } }, (c) => zoneNodes(c, 0, 2), 400);
    expect(r.taints).toHaveLength(2);
    expect(gaps[0]).toBeCloseTo(10, 0);
  });

  it("partially disrupted large zone: one node every 100 s (--secondary-node-eviction-rate 0.01)", () => {
    // 48 of 60 nodes of a zone (more than --large-cluster-size-threshold 50): 80% not ready
    const { gaps, r } = taintGaps({ cluster: { nodes: 180, zones: 3, podsPerNode: 1 } }, (c) => zoneNodes(c, 0, 48), 800);
    expect(r.taints.length).toBeGreaterThanOrEqual(5);
    // the first taint may come at the normal rate before the zone's state is computed; then 100 s apart (a taint is
    // seen when its PATCH is answered, which waits for the client's token: a few ms to a second)
    for (const g of gaps.slice(1)) expect(g).toBeCloseTo(100, 0);
  });

  it("partially disrupted small zone: no eviction", () => {
    // 24 of 30 nodes of a zone (at most 50): the reduced rate is 0
    const { r } = taintGaps({ cluster: { nodes: 90, zones: 3, podsPerNode: 1 } }, (c) => zoneNodes(c, 0, 24), 800);
    expect(r.taints.length).toBeLessThanOrEqual(1);
  });

  it("one zone fully disrupted, the others normal: its nodes tainted at the normal rate", () => {
    const { gaps, r } = taintGaps({ cluster: { nodes: 90, zones: 3, podsPerNode: 1 } }, (c) => zoneNodes(c, 0), 800);
    expect(r.taints.length).toBeGreaterThan(20);
    const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
    expect(mean).toBeCloseTo(10, 1);
    for (const g of gaps) expect(g).toBeGreaterThan(9);
  });

  it("every zone fully disrupted: no eviction at all, taints already placed are removed (master disruption)", () => {
    const { r } = taintGaps({ cluster: { nodes: 90, zones: 3, podsPerNode: 1 } }, (c) => Array.from({ length: c.nodes }, (_, i) => i), 800);
    expect(r.dynamics.nodeLifecycle.tainted.every((t) => t === 0)).toBe(true);
    expect(r.dynamics.taintEviction.evictions).toBe(0);
  });
});

describe("taint-based eviction", () => {
  it("deletes a tainted node's pods 300 s after the taint; their ReplicaSets replace them on nodes that are up", () => {
    const r = start({ cluster: { nodes: 30, zones: 3, podsPerNode: 10 }, services: [{ name: "web", replicas: 60 }] });
    const down = zoneNodes(r.cluster, 0, 1);
    const pods = r.cluster.podsOn(down[0]);
    r.sim.schedule(s(60), () => r.dynamics.nodesDown(down));
    r.sim.run({ until: s(1000) });
    expect(r.taints).toHaveLength(1);
    const taintedAt = r.taints[0].at;
    // each pod: GET, status PATCH, DELETE at 20 QPS; the node's 10 pods (backends and others) within a second
    expect(r.dynamics.taintEviction.evictions).toBe(10);
    for (const p of pods) expect(r.cluster.podTerminating[p]).toBe(1);
    const svc = r.cluster.services[0];
    const active = svc.pods.filter((p) => r.cluster.podTerminating[p] === 0);
    expect(active).toHaveLength(60);
    for (const p of active) expect(r.cluster.podNode[p]).not.toBe(down[0]);
    expect(taintedAt + s(300)).toBeLessThan(r.sim.now);
  });

  it("cancels the evictions when the node comes back before the toleration runs out", () => {
    // more pods than any array's first size (1,024): the cluster's first pods are followed like the later ones
    const r = start({ cluster: { nodes: 30, zones: 3, podsPerNode: 100 }, services: [{ name: "web", replicas: 2500 }] });
    const down = zoneNodes(r.cluster, 0, 1);
    r.sim.schedule(s(60), () => r.dynamics.nodesDown(down));
    r.sim.schedule(s(300), () => r.dynamics.nodesBack(down));
    r.sim.run({ until: s(1000) });
    expect(r.taints).toHaveLength(1);
    expect(r.dynamics.taintEviction.evictions).toBe(0);
    expect(r.dynamics.nodeLifecycle.tainted[down[0]]).toBe(0);
    // the kubelet wrote its pods Ready again
    for (const p of r.cluster.podsOn(down[0])) expect(r.cluster.podReady[p]).toBe(1);
    expect(r.cluster.nodeOtherReady[down[0]]).toBe(r.cluster.nodeOtherPods[down[0]]);
  });
});
