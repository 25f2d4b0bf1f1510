/**
 * Upstream batching cases (docs/sources.md §9 case 21): pkg/controller/endpoint and
 * pkg/controller/endpointslice TestPodAddsBatching, TestPodUpdatesBatching and TestPodDeleteBatching. Three pod
 * events 200 ms, +100 ms and +100 ms (or +1 s) after start, then 3 s: with no batch period every event is its own
 * request; with a 1 s period events within a second share one; a third event a second later makes a second request.
 */
import { describe, expect, it } from "vitest";
import { RandomStreams } from "../../engine/random.js";
import { Simulation } from "../../engine/simulation.js";
import { ms, s } from "../../engine/time.js";
import { Cluster } from "../cluster/cluster.js";
import { ApiStore } from "../api-store.js";
import { Etcd } from "../etcd.js";
import { KepSizer, ProtobufSizer } from "../object-bytes.js";
import type { WriteSink } from "./controller-base.js";
import { EndpointSliceController } from "./endpointslice-controller.js";
import { EndpointsController } from "./endpoints-controller.js";
import { getPackingAlgorithm } from "./packing/index.js";

type Kind = "add" | "update" | "delete";

function requestsFor(controllerKind: "endpoints" | "endpointslice", kind: Kind, batchPeriod: number, delays: number[]): number {
  const sim = new Simulation();
  const cluster = new Cluster(
    {
      nodes: 3,
      zones: 1,
      coresPerNode: 4,
      podsPerNode: 10,
      namespaces: 1,
      services: [{ name: "foo", count: 1, replicas: kind === "add" ? 0 : 3, headless: false, ports: 1, ipFamilies: ["IPv4"] }],
    },
    new RandomStreams(1).stream("p"),
  );
  cluster.populate(0);
  const etcd = new ApiStore(new Etcd({ maxRequestBytes: 1.5 * 1024 * 1024, quotaBytes: 2 ** 31 }), 3 * 1024 * 1024);
  const sizer = new KepSizer(100, new ProtobufSizer(cluster, false, false, false));
  const sink: WriteSink = { committed: () => 0, objectChanged: () => {} };
  const common = { batchPeriod, workers: 1, qps: 1e6, burst: 1e6, writeLatency: ms(1), syncBase: 0, syncPerEndpoint: 0 };
  const controller =
    controllerKind === "endpoints"
      ? new EndpointsController(sim, cluster, etcd, sizer, sink, { ...common, truncate: true })
      : new EndpointSliceController(sim, cluster, etcd, sizer, sink, getPackingAlgorithm("k8s"), { ...common, maxEndpointsPerSlice: 100, options: {} });
  controller.seed();
  let t = 0;
  delays.forEach((d, i) => {
    t += d;
    sim.schedule(t, () => {
      const svc = cluster.services[0];
      if (kind === "add") {
        const p = cluster.createPod(0, sim.now, true);
        controller.podChanged(0, p, sim.now);
      } else if (kind === "update") {
        const p = svc.pods[i];
        cluster.changeIP(p, sim.now);
        controller.podChanged(0, p, sim.now);
      } else {
        const p = svc.pods[0];
        cluster.removePod(p);
        controller.podChanged(0, p, Number.NaN);
      }
    });
  });
  sim.run({ until: t + s(3) });
  return controller.requests;
}

const cases: { name: string; batch: number; delays: number[]; want: number }[] = [
  { name: "three events with no batching", batch: 0, delays: [ms(200), ms(100), ms(100)], want: 3 },
  { name: "three events in one batch", batch: s(1), delays: [ms(200), ms(100), ms(100)], want: 1 },
  { name: "three events in two batches", batch: s(1), delays: [ms(200), ms(100), s(1)], want: 2 },
];

for (const controllerKind of ["endpoints", "endpointslice"] as const) {
  describe(`${controllerKind} controller batching`, () => {
    for (const [test, kind] of [
      ["TestPodAddsBatching", "add"],
      ["TestPodUpdatesBatching", "update"],
      ["TestPodDeleteBatching", "delete"],
    ] as const) {
      for (const c of cases) {
        it(`${test} / ${c.name.replace("events", kind === "add" ? "adds" : kind === "update" ? "updates" : "deletes")}: ${c.want} request(s)`, () => {
          expect(requestsFor(controllerKind, kind, c.batch, c.delays)).toBe(c.want);
        });
      }
    }
  });
}
