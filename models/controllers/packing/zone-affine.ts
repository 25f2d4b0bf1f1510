// One set of slices per (port map, zone): a slice only holds endpoints of one zone, so a zone-local consumer (or a
// topology-aware proxy) reads fewer slices. Endpoints without a zone form their own group. Within a group the
// packing is exactly k8s's reconcileByPortMapping (k8s.ts), so churn per group matches upstream.
//
// Which group an existing slice belongs to: the zone most of its endpoints carry as written in the slice (ties: the
// zone-less group first, then the smallest zone name); an empty slice belongs to the zone-less group. An endpoint
// whose zone changed is removed from its old group's slice and added in its new group, i.e. it moves slices; upstream
// would update it in place.
// Groups are processed in zone order (the zone-less group first), so a sync that is given only the changed endpoints
// (untouched slices, as k8s takes them) plans exactly what the full sync plans. Metrics keep the per-port-map definitions of docs/sources.md §10 (desired
// slices ignore zones), so they are comparable across algorithms.
// The placeholder rule is kept (shared.ts): with no endpoints the Service has one empty slice, as upstream.

import { k8sPackPortMap } from "./k8s.js";
import { type FamilyAlgorithm, type PortMapContext, type PortMapResult, reconcileFamily } from "./shared.js";
import type { EndpointState, PackingAlgorithm, SliceState } from "./types.js";

type Zone = string | null;

function compareZones(a: Zone, b: Zone): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a < b ? -1 : 1;
}

/** Slices are not changed once written (a plan makes new ones), so each one's group is counted once. */
const zoneOfSlice = new WeakMap<readonly EndpointState[], Zone>();

/** The group of an existing slice: the majority zone of its endpoints as written in it. */
export function sliceZone(endpoints: readonly EndpointState[]): Zone {
  let zone = zoneOfSlice.get(endpoints);
  if (zone === undefined) {
    zone = majorityZone(endpoints);
    zoneOfSlice.set(endpoints, zone);
  }
  return zone;
}

function majorityZone(endpoints: readonly EndpointState[]): Zone {
  const counts = new Map<Zone, number>();
  for (const e of endpoints) {
    const z = e.zone ?? null;
    counts.set(z, (counts.get(z) ?? 0) + 1);
  }
  let best: Zone = null;
  let bestCount = 0;
  for (const [z, c] of counts) {
    if (c > bestCount || (c === bestCount && compareZones(z, best) < 0)) {
      best = z;
      bestCount = c;
    }
  }
  return best;
}

export function zoneAffinePackPortMap(ctx: PortMapContext): PortMapResult {
  const groups = new Map<Zone, { desired: Map<string, EndpointState>; existing: SliceState[] }>();
  const group = (z: Zone) => {
    let g = groups.get(z);
    if (g === undefined) groups.set(z, (g = { desired: new Map(), existing: [] }));
    return g;
  };
  for (const e of ctx.desired.values()) group(e.zone ?? null).desired.set(e.id, e);
  const index = new Map<string, number>();
  ctx.existing.forEach((s, i) => {
    index.set(s.name, i);
    group(sliceZone(s.endpoints)).existing.push(s);
  });

  const result = { creates: [] as SliceState[], updates: [] as SliceState[], deletes: [] as SliceState[] };
  for (const z of [...groups.keys()].sort(compareZones)) {
    const g = groups.get(z)!;
    const r = k8sPackPortMap({ ...ctx, existing: g.existing, desired: g.desired });
    result.creates.push(...r.creates);
    result.updates.push(...r.updates);
    result.deletes.push(...r.deletes);
  }
  result.updates.sort((a, b) => index.get(a.name)! - index.get(b.name)!);
  result.deletes.sort((a, b) => index.get(a.name)! - index.get(b.name)!);
  // added/removed are left to shared.ts, per port map: a zone move is neither, as upstream counts it
  return result;
}

const family: FamilyAlgorithm = {
  name: "zone-affine",
  options: {},
  acceptsUntouched: true,
  packPortMap: (ctx) => zoneAffinePackPortMap(ctx),
};

export const zoneAffine: PackingAlgorithm = {
  name: "zone-affine",
  description: "Slices per (port map, zone), k8s packing within each zone",
  options: {},
  acceptsUntouched: true,
  reconcile: (input) => reconcileFamily(input, family),
};
