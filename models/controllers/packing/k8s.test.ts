// Upstream cases of kubernetes/endpointslice reconciler_test.go (docs/sources.md §9; blob 76083e7a at
// daa4d01084ee6e8ba8a0cb535bdaaffd7c6766bf, read for the cases docs/sources.md does not spell out: SomePreexisting,
// UpdatePacking, the *_CollectAndCompare / GaugeUpdates metrics, PodMissingNode) and of
// pkg/controller/endpointslice/endpointslice_controller_test.go (TestSyncServiceEndpointSliceLabelSelection,
// TestSyncServiceWithSelector). Pods and slices are modelled by EndpointState/SliceState: a pod the reconciler would
// skip (missing node, no IP) is left out of the desired list, but its port key stays.

import { describe, expect, it } from "vitest";
import { getSliceToFill, k8s } from "./k8s.js";
import { efficiencyTotals, numDesiredSlices } from "./shared.js";
import { reconcileService } from "./service.js";
import { EMPTY_PORT_KEY, type EndpointState, type SlicePlan, type SliceState } from "./types.js";
import { PORT_80, PORT_81, actions, checkInvariants, namer, pod, pods, sizes, slice, sync } from "../../../test/oracles/packing.js";

const desiredOf = (eps: EndpointState[], key = PORT_80) => new Map([[key, eps]]);

interface Counters {
  added: number;
  removed: number;
  created: number;
  updated: number;
  deleted: number;
  changed: number;
}

/** Histogram sums and counters over several syncs, as upstream's expectMetrics reads them. */
function totals(plans: SlicePlan[]): Counters {
  const t = { added: 0, removed: 0, created: 0, updated: 0, deleted: 0, changed: 0 };
  for (const p of plans) {
    t.added += p.metrics.added;
    t.removed += p.metrics.removed;
    t.created += p.creates.length;
    t.updated += p.updates.length;
    t.deleted += p.deletes.length;
    t.changed += p.metrics.changedPerSync;
  }
  return t;
}

function gauges(plan: SlicePlan) {
  const { desiredSlices, actualSlices, desiredEndpoints } = plan.metrics;
  return { desiredSlices, actualSlices, desiredEndpoints };
}

describe("k8s packing: upstream reconciler_test.go cases", () => {
  it("TestReconcileEmpty", () => {
    const { plan, after } = sync(k8s, [], new Map(), namer());
    expect(actions(plan)).toEqual(["create"]);
    expect(after).toHaveLength(1);
    expect(after[0].portKey).toBe(EMPTY_PORT_KEY);
    expect(after[0].endpoints).toEqual([]);
    expect(gauges(plan)).toEqual({ desiredSlices: 1, actualSlices: 1, desiredEndpoints: 0 });
    expect(totals([plan])).toEqual({ added: 0, removed: 0, created: 1, updated: 0, deleted: 0, changed: 1 });
  });

  describe("TestReconcile1EndpointSlice", () => {
    it("No existing placeholder", () => {
      const { plan, after } = sync(k8s, [], new Map(), namer());
      expect(actions(plan)).toEqual(["create"]);
      expect(after).toHaveLength(1);
      expect(gauges(plan)).toEqual({ desiredSlices: 1, actualSlices: 1, desiredEndpoints: 0 });
      expect(totals([plan])).toEqual({ added: 0, removed: 0, created: 1, updated: 0, deleted: 0, changed: 1 });
    });
    it("Existing placeholder that's the same", () => {
      const existing = [slice("foo-ph", [], { portKey: EMPTY_PORT_KEY })];
      const { plan, after } = sync(k8s, existing, new Map(), namer());
      expect(actions(plan)).toEqual([]);
      expect(after).toEqual(existing);
      expect(gauges(plan)).toEqual({ desiredSlices: 1, actualSlices: 1, desiredEndpoints: 0 });
      expect(totals([plan])).toEqual({ added: 0, removed: 0, created: 0, updated: 0, deleted: 0, changed: 0 });
    });
    it("Existing placeholder that's different", () => {
      // newEmptyEndpointSlice: the Service's ports, labels {bar: baz}
      const existing = [slice("foo-1", [], { labelsMatch: false })];
      const { plan, after } = sync(k8s, existing, new Map(), namer());
      expect(actions(plan)).toEqual(["update"]);
      expect(after).toEqual([slice("foo-1", [], { portKey: EMPTY_PORT_KEY })]);
      expect(gauges(plan)).toEqual({ desiredSlices: 1, actualSlices: 1, desiredEndpoints: 0 });
      expect(totals([plan])).toEqual({ added: 0, removed: 0, created: 0, updated: 1, deleted: 0, changed: 1 });
      expect(plan.metrics.recycled).toBe(1);
    });
  });

  it("TestReconcile1EndpointSlicePublishNotReadyAddresses", () => {
    // publishNotReadyAddresses: ready = true for every pod, serving = pod readiness
    const eps = pods(0, 50).map((e) => ({ ...e, ready: true }));
    const { plan, after } = sync(k8s, [], desiredOf(eps), namer());
    expect(actions(plan)).toEqual(["create"]);
    expect(sizes(after)).toEqual([50]);
    expect(after[0].endpoints.every((e) => e.ready)).toBe(true);
  });

  it("TestReconcileManyPods", () => {
    const { plan, after } = sync(k8s, [], desiredOf(pods(0, 250)), namer());
    expect(actions(plan)).toEqual(["create", "create", "create"]);
    expect(sizes(after)).toEqual([50, 100, 100]);
    expect(gauges(plan)).toEqual({ desiredSlices: 3, actualSlices: 3, desiredEndpoints: 250 });
    expect(totals([plan])).toEqual({ added: 250, removed: 0, created: 3, updated: 0, deleted: 0, changed: 3 });
  });

  /** Upstream's "approximately 1/4" slices: pods from `start` in steps of 4 while i < n − 4. */
  const quarter = (all: EndpointState[], start: number) => all.filter((_, i) => i >= start && i < all.length - 4 && (i - start) % 4 === 0);

  it("TestReconcileEndpointSlicesSomePreexisting", () => {
    const all = pods(0, 250);
    const existing = [slice("foo-1", quarter(all, 1)), slice("foo-2", quarter(all, 3))];
    expect(sizes(existing)).toEqual([61, 62]);
    const { plan, after } = sync(k8s, existing, desiredOf(all), namer());
    // 127 new: one full create, then 27 into the slice that ends closest to full (62 -> 89)
    expect(actions(plan)).toEqual(["create", "update"]);
    expect(plan.updates[0].name).toBe("foo-1");
    expect(sizes(after)).toEqual([61, 89, 100]);
    expect(gauges(plan)).toEqual({ desiredSlices: 3, actualSlices: 3, desiredEndpoints: 250 });
    expect(totals([plan])).toEqual({ added: 127, removed: 0, created: 1, updated: 1, deleted: 0, changed: 2 });
  });

  it("TestReconcileEndpointSlicesSomePreexistingWorseAllocation", () => {
    const all = pods(0, 300);
    const existing = [slice("foo-1", quarter(all, 1)), slice("foo-2", quarter(all, 3))];
    expect(sizes(existing)).toEqual([74, 74]);
    const { plan, after } = sync(k8s, existing, desiredOf(all), namer("new-"));
    // 152 new: one full create; 52 fit no single slice, so a second create rather than two updates
    expect(actions(plan)).toEqual(["create", "create"]);
    expect(sizes(after)).toEqual([52, 74, 74, 100]);
    expect(gauges(plan)).toEqual({ desiredSlices: 3, actualSlices: 4, desiredEndpoints: 300 });
    expect(totals([plan])).toEqual({ added: 152, removed: 0, created: 2, updated: 0, deleted: 0, changed: 2 });
  });

  it("TestReconcileEndpointSlicesUpdating", () => {
    const names = namer();
    const all = pods(0, 250);
    const first = sync(k8s, [], desiredOf(all), names);
    expect(sizes(first.after)).toEqual([50, 100, 100]);
    // targetPort 80 -> 81: a new port map; 3 creates recycled onto the 3 old slices
    const second = sync(k8s, first.after, desiredOf(all, PORT_81), names);
    expect(actions(second.plan)).toEqual(["update", "update", "update"]);
    expect(sizes(second.after)).toEqual([50, 100, 100]);
    expect(second.after.every((s) => s.portKey === PORT_81)).toBe(true);
    expect(second.plan.metrics.recycled).toBe(3);
  });

  it("TestReconcileEndpointSlicesServicesLabelsUpdating", () => {
    const names = namer();
    const all = pods(0, 250);
    const first = sync(k8s, [], desiredOf(all), names);
    const relabelled = first.after.map((s) => ({ ...s, labelsMatch: false }));
    const second = sync(k8s, relabelled, desiredOf(all), names);
    expect(actions(second.plan)).toEqual(["update", "update", "update"]);
    expect(sizes(second.after)).toEqual([50, 100, 100]);
    expect(second.after.every((s) => s.labelsMatch)).toBe(true);
  });

  it("TestReconcileEndpointSlicesServicesReservedLabels", () => {
    // Reserved label keys on the Service are skipped by setEndpointSliceLabels: the slices' labels still match.
    const names = namer();
    const all = pods(0, 250);
    const first = sync(k8s, [], desiredOf(all), names);
    const second = sync(k8s, first.after, desiredOf(all), names);
    expect(actions(second.plan)).toEqual([]);
    expect(sizes(second.after)).toEqual([50, 100, 100]);
  });

  it("TestReconcileEndpointSlicesRecycling", () => {
    const all = pods(0, 300);
    const existing: SliceState[] = [];
    for (let s = 0; s < 10; s++) existing.push(slice(`foo-${s}`, all.slice(30 * s, 30 * s + 30)));
    const names = namer("new-");
    const first = sync(k8s, existing, desiredOf(all), names);
    expect(actions(first.plan)).toEqual([]);

    const second = sync(k8s, existing, desiredOf(all, PORT_81), names);
    expect(actions(second.plan)).toEqual([...Array(3).fill("update"), ...Array(7).fill("delete")]);
    expect(sizes(second.after)).toEqual([100, 100, 100]);
    expect(gauges(second.plan)).toEqual({ desiredSlices: 3, actualSlices: 3, desiredEndpoints: 300 });
    expect(totals([second.plan])).toEqual({ added: 300, removed: 0, created: 0, updated: 3, deleted: 7, changed: 10 });
  });

  it("TestReconcileEndpointSlicesUpdatePacking", () => {
    const first = pods(0, 80, () => true);
    const second = pods(100, 120, () => true);
    const existing = [slice("foo-1", first), slice("foo-2", second)];
    // every 10th pod (by position in the pod list) turns not ready, so both slices are update-marked
    const flipped = [...first, ...second].map((e, i) => (i % 10 === 0 ? { ...e, ready: false, serving: false } : e));
    const desired = [...flipped, ...pods(200, 215, () => true)];
    const { plan, after } = sync(k8s, existing, desiredOf(desired), namer());
    expect(actions(plan)).toEqual(["update", "update"]);
    expect(sizes(after)).toEqual([20, 95]);
    expect(gauges(plan)).toEqual({ desiredSlices: 2, actualSlices: 2, desiredEndpoints: 115 });
    expect(totals([plan])).toEqual({ added: 15, removed: 0, created: 0, updated: 2, deleted: 0, changed: 2 });
  });

  it("TestReconcileEndpointSlicesReplaceDeprecated", () => {
    const a = pods(0, 80, () => true);
    const b = pods(100, 150, () => true);
    const existing = [slice("foo-1", a, { addressType: "IP" }), slice("foo-2", b, { addressType: "IP" })];
    const { plan, after } = sync(k8s, existing, desiredOf([...a, ...b]), namer("new-"));
    // no recycling across address types: creates first, the "IP" slices deleted last
    expect(actions(plan)).toEqual(["create", "create", "delete", "delete"]);
    expect(plan.deletes.map((s) => s.name)).toEqual(["foo-1", "foo-2"]);
    expect(sizes(after)).toEqual([30, 100]);
    expect(after.every((s) => s.addressType === "IPv4")).toBe(true);
    expect(plan.metrics.unsupportedDeletes).toBe(2);
    expect(plan.metrics.changedPerSync).toBe(2);
    expect(plan.metrics.recycled).toBe(0);
  });

  describe("TestReconcileEndpointSlicesRecreation", () => {
    it("slice owned by Service", () => {
      const existing = [slice("foo-1", [pod(1, true)])];
      const { plan } = sync(k8s, existing, desiredOf([pod(1, true)]), namer());
      expect(actions(plan)).toEqual([]);
    });
    it("slice owned by other Service UID", () => {
      const existing = [slice("foo-1", [pod(1, true)], { ownedByService: false })];
      const { plan, after } = sync(k8s, existing, desiredOf([pod(1, true)]), namer());
      expect(actions(plan)).toEqual(["create", "delete"]);
      expect(plan.metrics.recycled).toBe(0);
      expect(after).toHaveLength(1);
      expect(after[0].ownedByService).toBe(true);
    });
  });

  it("TestReconcileEndpointSlicesNamedPorts", () => {
    // targetPort "http" resolves to 8080 + i%5 on pod i: five port maps
    const desired = new Map<string, EndpointState[]>();
    for (let i = 0; i < 300; i++) {
      const key = `TCP:${8080 + (i % 5)}`;
      if (!desired.has(key)) desired.set(key, []);
      desired.get(key)!.push(pod(i));
    }
    const { plan, after } = sync(k8s, [], desired, namer());
    expect(actions(plan)).toEqual(Array(5).fill("create"));
    expect(sizes(after)).toEqual([60, 60, 60, 60, 60]);
    expect(new Set(after.map((s) => s.portKey))).toEqual(new Set(["TCP:8080", "TCP:8081", "TCP:8082", "TCP:8083", "TCP:8084"]));
    expect(gauges(plan)).toEqual({ desiredSlices: 5, actualSlices: 5, desiredEndpoints: 300 });
    expect(totals([plan])).toEqual({ added: 300, removed: 0, created: 5, updated: 0, deleted: 0, changed: 5 });
  });

  describe("TestReconcileMaxEndpointsPerSlice", () => {
    const cases: [number, number[], number][] = [
      [50, [50, 50, 50, 50, 50], 5],
      [80, [10, 80, 80, 80], 4],
      [150, [100, 150], 2],
      [250, [250], 1],
      [500, [250], 1],
    ];
    for (const [max, lengths, desiredSlices] of cases) {
      it(`maxEndpointsPerSlice: ${max}`, () => {
        const { plan, after } = sync(k8s, [], desiredOf(pods(0, 250)), namer(), max);
        expect(sizes(after)).toEqual(lengths);
        expect(gauges(plan)).toEqual({ desiredSlices, actualSlices: desiredSlices, desiredEndpoints: 250 });
        expect(totals([plan])).toEqual({ added: 250, removed: 0, created: desiredSlices, updated: 0, deleted: 0, changed: desiredSlices });
      });
    }
  });

  it("TestReconcileEndpointSlicesMetrics", () => {
    const names = namer();
    const all = pods(0, 20, () => true);
    const first = sync(k8s, [], desiredOf(all), names);
    expect(actions(first.plan)).toEqual(["create"]);
    expect(gauges(first.plan)).toEqual({ desiredSlices: 1, actualSlices: 1, desiredEndpoints: 20 });
    expect(totals([first.plan])).toEqual({ added: 20, removed: 0, created: 1, updated: 0, deleted: 0, changed: 1 });

    const second = sync(k8s, first.after, desiredOf(all.slice(0, 10)), names);
    expect(gauges(second.plan)).toEqual({ desiredSlices: 1, actualSlices: 1, desiredEndpoints: 10 });
    expect(totals([first.plan, second.plan])).toEqual({ added: 20, removed: 10, created: 1, updated: 1, deleted: 0, changed: 2 });
  });

  it("TestReconcileEndpointSlicesMetrics_EndpointsAddedPerSync_CollectAndCompare", () => {
    const keep = pod(1, true);
    const { plan } = sync(k8s, [slice("foo-1", [keep])], desiredOf([keep, pod(2, true)]), namer());
    expect(plan.metrics.added).toBe(1);
  });

  it("TestReconcileEndpointSlicesMetrics_EndpointsRemovedPerSync_CollectAndCompare", () => {
    const keep = pod(1, true);
    const { plan } = sync(k8s, [slice("foo-1", [pod(0, true), keep])], desiredOf([keep]), namer());
    expect(plan.metrics.removed).toBe(1);
  });

  it("TestReconcileEndpointSlicesMetrics_GaugeUpdates", () => {
    const { plan } = sync(k8s, [], desiredOf([pod(1, true), pod(2, true)]), namer());
    expect(gauges(plan)).toEqual({ desiredSlices: 1, actualSlices: 1, desiredEndpoints: 2 });
  });

  describe("TestReconcilerPodMissingNode", () => {
    // pods 0 (node-0) and 1 (node-1); a pod whose node is missing is skipped unless publishNotReadyAddresses,
    // but its port map is still desired (docs/sources.md §7.3)
    const p0 = { ...pod(0, true), nodeName: "node-0" };
    const p1 = { ...pod(1, true), nodeName: "node-1" };
    const full = () => [slice("foo-1", [p0, p1])];
    const cases: { name: string; existing: SliceState[]; desired: EndpointState[]; g: ReturnType<typeof gauges>; t: Counters }[] = [
      {
        name: "Create and publishNotReady false",
        existing: [],
        desired: [p0],
        g: { desiredSlices: 1, actualSlices: 1, desiredEndpoints: 1 },
        t: { added: 1, removed: 0, created: 1, updated: 0, deleted: 0, changed: 1 },
      },
      {
        name: "Create and publishNotReady true",
        existing: [],
        desired: [p0, p1],
        g: { desiredSlices: 1, actualSlices: 1, desiredEndpoints: 2 },
        t: { added: 2, removed: 0, created: 1, updated: 0, deleted: 0, changed: 1 },
      },
      {
        name: "Update and publishNotReady false",
        existing: full(),
        desired: [p0],
        g: { desiredSlices: 1, actualSlices: 1, desiredEndpoints: 1 },
        t: { added: 0, removed: 1, created: 0, updated: 1, deleted: 0, changed: 1 },
      },
      {
        name: "Update and publishNotReady true and all nodes missing",
        existing: full(),
        desired: [p0, p1],
        g: { desiredSlices: 1, actualSlices: 1, desiredEndpoints: 2 },
        t: { added: 0, removed: 0, created: 0, updated: 0, deleted: 0, changed: 0 },
      },
      {
        name: "Update and publishNotReady true",
        existing: full(),
        desired: [p0, p1],
        g: { desiredSlices: 1, actualSlices: 1, desiredEndpoints: 2 },
        t: { added: 0, removed: 0, created: 0, updated: 0, deleted: 0, changed: 0 },
      },
      {
        // the emptied slice would be deleted; the placeholder create is recycled onto it: an update, not a delete
        name: "Update if publishNotReady false and no nodes are present",
        existing: full(),
        desired: [],
        g: { desiredSlices: 1, actualSlices: 1, desiredEndpoints: 0 },
        t: { added: 0, removed: 2, created: 0, updated: 1, deleted: 0, changed: 1 },
      },
    ];
    for (const c of cases) {
      it(c.name, () => {
        const { plan, after } = sync(k8s, c.existing, desiredOf(c.desired), namer());
        expect(gauges(plan)).toEqual(c.g);
        expect(totals([plan])).toEqual(c.t);
        expect(after).toHaveLength(c.g.actualSlices);
      });
    }
  });

  it("TestReconcileTopology (packing only: hints are not modelled)", () => {
    // "topology enabled, hintsAnnotation==Auto, more slices and endpoints": 4 + 5 endpoints in 2 slices, all
    // desired. Upstream's 2 updates only set hints; the packing keeps both slices (no repack).
    const zones = ["zone-a", "zone-b", "zone-c"];
    const eps = pods(0, 9, () => true).map((e, i) => ({ ...e, zone: zones[i % 3] }));
    const existing = [slice("zone-a-c", eps.slice(0, 4)), slice("zone-a-b", eps.slice(4))];
    const { plan } = sync(k8s, existing, desiredOf(eps), namer());
    expect(actions(plan)).toEqual([]);
    expect(gauges(plan)).toEqual({ desiredSlices: 1, actualSlices: 2, desiredEndpoints: 9 });
  });

  it("TestReconcileHeadlessServiceNoPorts", () => {
    // nil and [] ports hash equal: both are EMPTY_PORT_KEY here
    const names = namer("headless-no-ports-");
    const desired = desiredOf([pod(1, true)], EMPTY_PORT_KEY);
    const first = sync(k8s, [], desired, names);
    expect(actions(first.plan)).toEqual(["create"]);
    const second = sync(k8s, first.after, desired, names);
    expect(actions(second.plan)).toEqual([]);
  });

  it("TestReconcile1Pod (dual-stack: one slice per family, metrics per family)", () => {
    const v4 = { ...pod(1, true), zone: "us-central1-a" };
    const v6 = { ...v4, id: "1234::5678:0000:0000:9abc:def0" };
    const plans = reconcileService(k8s, {
      families: ["IPv4", "IPv6"],
      maxEndpointsPerSlice: 100,
      desired: new Map([
        ["IPv4", desiredOf([v4])],
        ["IPv6", desiredOf([v6])],
      ]),
      existing: [],
      nameFor: namer(),
    });
    expect(plans.map(actions)).toEqual([["create"], ["create"]]);
    expect(plans.map((p) => p.creates[0].addressType)).toEqual(["IPv4", "IPv6"]);
    expect(new Set(plans.flatMap((p) => p.creates.map((s) => s.name))).size).toBe(2);
    // changed_per_sync is observed once per family: 2 observations of 1
    expect(plans.map((p) => p.metrics.changedPerSync)).toEqual([1, 1]);
    expect(plans.map((p) => p.metrics.added)).toEqual([1, 1]);
  });
});

describe("reconcileService", () => {
  it("routes slices of other address types to the last family's plan, deleted after its own calls", () => {
    const v4 = pods(0, 3, () => true);
    const v6 = v4.map((e, i) => ({ ...e, id: `fd00::${i}` }));
    const existing = [slice("legacy", v4, { addressType: "IP" }), slice("v6-old", v6.slice(0, 1), { addressType: "IPv6" })];
    const plans = reconcileService(k8s, {
      families: ["IPv4", "IPv6"],
      maxEndpointsPerSlice: 100,
      desired: new Map([
        ["IPv4", desiredOf(v4)],
        ["IPv6", desiredOf(v6)],
      ]),
      existing,
      nameFor: namer("new-"),
    });
    expect(plans.map(actions)).toEqual([["create"], ["update", "delete"]]);
    expect(plans[1].deletes.map((s) => s.name)).toEqual(["legacy"]);
    expect(plans[1].metrics.unsupportedDeletes).toBe(1);
    expect(plans[0].creates[0].name).toBe("new-0");
    // single-stack again: the IPv6 slices are unsupported now
    const back = reconcileService(k8s, {
      families: ["IPv4"],
      maxEndpointsPerSlice: 100,
      desired: new Map([["IPv4", desiredOf(v4)]]),
      existing: [slice("a", v4), slice("b", v6, { addressType: "IPv6" })],
      nameFor: namer("new-"),
    });
    expect(back.map(actions)).toEqual([["delete"]]);
    expect(() => reconcileService(k8s, { families: [], maxEndpointsPerSlice: 100, desired: new Map(), existing: [], nameFor: namer() })).toThrow(/families/);
  });
});

describe("k8s packing: endpointslice_controller_test.go cases", () => {
  it("TestSyncServiceEndpointSliceLabelSelection", () => {
    // the 2 slices with both labels and the ownerRef (no ports, no endpoints); the 3 others are not listed
    const existing = [slice("matching-1", [], { portKey: EMPTY_PORT_KEY }), slice("matching-2", [], { portKey: EMPTY_PORT_KEY })];
    const { plan, after } = sync(k8s, existing, desiredOf([]), namer("testing-1-"));
    // two slices to delete, so no placeholder match: the placeholder create is recycled onto one, the other deleted
    expect(actions(plan)).toEqual(["update", "delete"]);
    expect(after).toHaveLength(1);
  });

  it("TestSyncServiceWithSelector", () => {
    const { plan } = sync(k8s, [], desiredOf([]), namer());
    expect(actions(plan)).toEqual(["create"]);
    expect(plan.creates[0].endpoints).toEqual([]);
  });
});

describe("k8s packing: pieces", () => {
  it("getSliceToFill: fullest slice that takes all, exact fit first, none if nothing fits", () => {
    const s = (n: number) => ({ endpoints: new Array(n).fill(0) });
    expect(getSliceToFill([s(62), s(61)], 27, 100)).toBe(0);
    expect(getSliceToFill([s(74), s(74)], 52, 100)).toBe(-1);
    expect(getSliceToFill([s(10), s(90), s(80)], 10, 100)).toBe(1);
    expect(getSliceToFill([s(10), s(50)], 0, 100)).toBe(1);
  });

  it("numDesiredSlices and totals (metrics/cache_test.go TestNumEndpointsAndSlices, TestPlaceHolderSlice)", () => {
    expect([0, 1, 100, 101, 250].map((n) => numDesiredSlices(n, 100))).toEqual([0, 1, 1, 2, 3]);
    const svc1 = [
      { endpoints: 12, slices: 5 },
      { endpoints: 18, slices: 8 },
    ];
    expect(efficiencyTotals(svc1, 100)).toEqual({ endpoints: 30, actualSlices: 13, desiredSlices: 2 });
    const svc2 = [
      { endpoints: 45, slices: 1 },
      { endpoints: 35, slices: 1 },
    ];
    expect(efficiencyTotals(svc2, 100)).toEqual({ endpoints: 80, actualSlices: 2, desiredSlices: 2 });
    const placeholders = [
      { endpoints: 0, slices: 1 },
      { endpoints: 0, slices: 1 },
    ];
    expect(efficiencyTotals(placeholders, 100)).toEqual({ endpoints: 0, actualSlices: 2, desiredSlices: 1 });
  });

  it("an endpoint claimed by an earlier slice wins over its duplicate in a later one", () => {
    const e = pod(1, true);
    const existing = [slice("a", [e, pod(2, true)]), slice("b", [e, pod(3, true)])];
    const desired = desiredOf([e, pod(2, true), pod(3, true)]);
    const { plan, after } = sync(k8s, existing, desired, namer());
    expect(plan.updates.map((s) => s.name)).toEqual(["b"]);
    expect(after.find((s) => s.name === "b")!.endpoints.map((x) => x.id)).toEqual([pod(3).id]);
    expect(plan.metrics.removed).toBe(1);
    expect(checkInvariants(after, desired, 100, "IPv4", plan)).toBeUndefined();
  });

  it("step 2 tops up the fullest update-marked slice first; step 3 leaves unchanged slices alone unless all fit", () => {
    // a: 50 with one stale; b: 70 with one stale; c: 95 unchanged. 40 new endpoints.
    const a = pods(0, 50, () => true);
    const b = pods(50, 120, () => true);
    const c = pods(120, 215, () => true);
    const fresh = pods(300, 340, () => true);
    const desired = desiredOf([...a.slice(1), ...b.slice(1), ...c, ...fresh]);
    const { plan, after } = sync(k8s, [slice("a", a), slice("b", b), slice("c", c)], desired, namer());
    // b (69) takes 31, a (49) takes the other 9; c untouched
    expect(plan.updates.map((s) => [s.name, s.endpoints.length])).toEqual([
      ["a", 58],
      ["b", 100],
    ]);
    expect(plan.creates).toEqual([]);
    expect(checkInvariants(after, desired, 100, "IPv4", plan)).toBeUndefined();
  });

  it('step 3 fits leftovers into an unchanged slice only when fewer than MAX remain (strict "<")', () => {
    // exactly MAX leftovers and an empty unchanged slice that could hold them: upstream still creates a new slice
    const fresh = pods(0, 100, () => true);
    const { plan } = sync(k8s, [slice("empty", [])], desiredOf(fresh), namer("new-"));
    expect(actions(plan)).toEqual(["create"]);
    // one fewer fits, and an exact fit is taken at once
    const fewer = sync(
      k8s,
      [
        slice("empty", []),
        slice(
          "ten",
          pods(200, 210, () => true),
        ),
      ],
      desiredOf([...pods(200, 210, () => true), ...fresh.slice(0, 90)]),
      namer("new-"),
    );
    expect(fewer.plan.updates.map((s) => [s.name, s.endpoints.length])).toEqual([["ten", 100]]);
  });

  it("keeps a pre-existing slice above MAX as upstream does", () => {
    const big = pods(0, 150, () => true);
    const { plan } = sync(k8s, [slice("big", big)], desiredOf(big), namer(), 100);
    expect(actions(plan)).toEqual([]);
  });

  it("rejects bad input", () => {
    expect(() => sync(k8s, [], new Map(), namer(), 0)).toThrow(/maxEndpointsPerSlice/);
    expect(() => sync(k8s, [], new Map(), namer(), 1001)).toThrow(/maxEndpointsPerSlice/);
    expect(() => sync(k8s, [slice("x", []), slice("x", [])], new Map(), namer())).toThrow(/duplicate/);
    expect(() => sync(k8s, [], new Map(), namer(), 100, { threshold: 0.5 })).toThrow(/unknown option "threshold".*allowed: none/);
    expect(() => sync(k8s, [slice("foo-0", [])], desiredOf(pods(0, 150)), () => "foo-0")).toThrow(/already in use/);
  });
});
