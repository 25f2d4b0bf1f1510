import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RandomStreams } from "../../engine/random.js";
import { Simulation } from "../../engine/simulation.js";
import { Cluster, type Service } from "../cluster/cluster.js";
import { ApiStore } from "../api-store.js";
import { Etcd } from "../etcd.js";
import { KepSizer, ProtobufSizer } from "../object-bytes.js";
import type { WriteSink } from "./controller-base.js";
import { EndpointSliceController } from "./endpointslice-controller.js";
import { getPackingAlgorithm, packingAlgorithms } from "./packing/index.js";
import type { SlicePlan } from "./packing/types.js";

/** Computes every incremental plan both ways and fails on any difference. */
class CheckedController extends EndpointSliceController {
  compared = 0;
  protected override plan(svc: Service, incremental: boolean): SlicePlan[] {
    if (!incremental) return super.plan(svc, false);
    const fast = super.plan(svc, true);
    const full = super.plan(svc, false);
    const shape = (plans: SlicePlan[]) =>
      plans.map((p) => ({
        creates: p.creates.map((s) => s.endpoints),
        updates: p.updates.map((s) => [s.name, s.endpoints]),
        deletes: p.deletes.map((s) => s.name),
        metrics: p.metrics,
      }));
    expect(shape(fast)).toEqual(shape(full));
    this.compared++;
    return fast;
  }
}

function setup(replicas: number, max: number, ipFamilies: ("IPv4" | "IPv6")[] = ["IPv4"], algorithm = "k8s") {
  const sim = new Simulation();
  const cluster = new Cluster(
    {
      nodes: 12,
      zones: 3,
      coresPerNode: 4,
      podsPerNode: 10,
      namespaces: 1,
      services: [{ name: "web", count: 1, replicas, headless: false, ports: 1, ipFamilies }],
    },
    new RandomStreams(3).stream("p"),
  );
  cluster.populate(0);
  const etcd = new ApiStore(new Etcd({ maxRequestBytes: 1.5 * 1024 * 1024, quotaBytes: 2 ** 31 }), 3 * 1024 * 1024);
  const sizer = new KepSizer(100, new ProtobufSizer(cluster, false, false, false));
  const writes: number[] = [];
  const sink: WriteSink = { committed: (_s, b) => writes.push(b.stored), objectChanged: () => {} };
  const controller = new CheckedController(sim, cluster, etcd, sizer, sink, getPackingAlgorithm(algorithm), {
    maxEndpointsPerSlice: max,
    batchPeriod: 0,
    workers: 1,
    qps: 1e6,
    burst: 1e6,
    writeLatency: 1000,
    syncBase: 0,
    syncPerEndpoint: 0,
    options: {},
  });
  controller.seed();
  return { sim, cluster, controller, writes };
}

describe("EndpointSliceController", () => {
  it("seeds slices as the reconciler packs them, without writes", () => {
    const { controller, writes } = setup(250, 100);
    expect(controller.slicesOf(0).map((s) => s.endpoints.length)).toEqual([100, 100, 50]);
    expect(writes).toHaveLength(0);
  });

  it("writes one slice update for a pod replaced in place", () => {
    const { sim, cluster, controller, writes } = setup(250, 100);
    const old = cluster.services[0].pods[7];
    cluster.removePod(old);
    controller.podChanged(0, old, Number.NaN);
    const fresh = cluster.createPod(0, sim.now, true);
    controller.podChanged(0, fresh, sim.now);
    sim.run();
    expect(writes).toHaveLength(1);
    expect(controller.counters).toMatchObject({ creates: 0, updates: 1, deletes: 0, syncs: 1 });
  });

  /**
   * The incremental sync (only slices holding changed pods are examined) plans exactly what the full reconcile of
   * every pod plans, for any history of adds, deletes, readiness flips, terminations and in-place replacements.
   */
  it.each(Object.keys(packingAlgorithms))("%s plans incrementally exactly what a full reconcile plans (property)", (algorithm) => {
    const op = fc.record({
      kind: fc.constantFrom("add", "delete", "ready", "unready", "terminate", "replace"),
      pick: fc.nat(),
      n: fc.integer({ min: 1, max: 40 }),
    });
    fc.assert(
      fc.property(
        fc.array(op, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 0, max: 300 }),
        fc.constantFrom(5, 20, 100),
        fc.boolean(),
        (ops, replicas, max, dual) => {
          const { sim, cluster, controller } = setup(replicas, max, dual ? ["IPv4", "IPv6"] : ["IPv4"], algorithm);
          const svc = cluster.services[0];
          for (const o of ops) {
            for (let k = 0; k < o.n; k++) {
              const live = svc.pods;
              const p = live.length > 0 ? live[(o.pick + k * 7) % live.length] : -1;
              if (o.kind === "add" || p < 0) {
                const fresh = cluster.createPod(0, sim.now, o.pick % 2 === 0);
                controller.podChanged(0, fresh, sim.now);
              } else if (o.kind === "delete") {
                cluster.removePod(p);
                controller.podChanged(0, p, Number.NaN);
              } else if (o.kind === "ready" || o.kind === "unready") {
                cluster.setReady(p, o.kind === "ready", sim.now);
                controller.podChanged(0, p, sim.now);
              } else if (o.kind === "terminate") {
                cluster.startTermination(p);
                controller.podChanged(0, p, sim.now);
              } else {
                cluster.removePod(p);
                controller.podChanged(0, p, Number.NaN);
                const fresh = cluster.createPod(0, sim.now, true);
                controller.podChanged(0, fresh, sim.now);
              }
            }
            sim.run();
          }
          // the slices hold exactly the live pods, each once, within MAX
          for (const family of svc.ipFamilies) {
            const ids = controller
              .slicesOf(0)
              .filter((s) => s.addressType === family)
              .flatMap((s) => s.endpoints.map((e) => e.id));
            expect(new Set(ids).size).toBe(ids.length);
            expect(ids.length).toBe(svc.pods.length);
          }
          for (const s of controller.slicesOf(0)) expect(s.endpoints.length).toBeLessThanOrEqual(max);
          expect(controller.compared).toBeGreaterThan(0);
        },
      ),
      { numRuns: 60, seed: 11 },
    );
  });
});
