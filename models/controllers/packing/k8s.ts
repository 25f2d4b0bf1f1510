// The upstream EndpointSlice reconciler: reconcileByPortMapping + getSliceToFill (docs/sources.md §7.4), inside
// the shared reconcileByAddressType / placeholder / finalize driver (shared.ts, docs/sources.md §7.3 and §1.6).
//
// Deterministic choices where Go is not (docs/sources.md §7.4 last bullet; counts and size multisets do not depend on them):
// - PopAny takes the remaining desired endpoints in desired (pod) order;
// - set iteration (unchanged slices in getSliceToFill, the update/delete lists) follows the slices' input order;
// - the step-2 sort is stable: equal lengths keep input order;
// - the returned updates are in input order of the slices they replace.
//
// Closed forms, with R = desired endpoints left after step 1 and F = Σ (MAX − len) over update-marked slices:
// after step 2 R' = max(0, R − F); step 3 creates floor(R'/MAX) full slices, then r = R' mod MAX goes whole into the
// fullest unchanged slice with len ≤ MAX − r (one more update) or else into one new slice of r.
// Like upstream, an existing slice above MAX (written under a larger MAX) is left as it is: step 1 keeps it and steps
// 2 and 3 only add to slices below MAX.

import { type FamilyAlgorithm, type PortMapContext, type PortMapResult, newSlice, reconcileFamily } from "./shared.js";
import { type EndpointState, type PackingAlgorithm, type SliceState, endpointEqual } from "./types.js";

/**
 * utils.go getSliceToFill: the slice that will be closest to full once numEndpoints are added, returning at once on an
 * exact fit; -1 if none has room for all of them. Iterates in the given order.
 */
export function getSliceToFill(slices: readonly { endpoints: readonly unknown[] }[], numEndpoints: number, max: number): number {
  let closestDiff = max;
  let closest = -1;
  for (let i = 0; i < slices.length; i++) {
    const diff = max - (numEndpoints + slices[i].endpoints.length);
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = i;
      if (diff === 0) return i;
    }
  }
  return closest;
}

/**
 * reconcileByPortMapping (reconciler.go), consuming ctx.desired. `topUp` false skips step 2: not an algorithm anyone
 * should run, the deliberately broken one the regression-gate test must catch.
 */
export function k8sPackPortMap(ctx: PortMapContext, topUp = true): PortMapResult {
  const { existing, desired, max, addressType, portKey, untouched, claimAsIs } = ctx;
  const updates = new Map<number, SliceState>(); // input index -> new version
  const unchanged: number[] = [];
  const deletes: SliceState[] = [];
  let removed = 0;

  // 1. keep desired endpoints (their desired version), drop the rest; the first slice to claim an endpoint wins
  existing.forEach((s, idx) => {
    if (untouched?.has(s.name)) {
      unchanged.push(idx);
      return;
    }
    const keep: EndpointState[] = [];
    let changed = false;
    for (const e of s.endpoints) {
      if (claimAsIs?.(e)) {
        keep.push(e);
        continue;
      }
      const d = desired.get(e.id);
      if (d === undefined) continue;
      keep.push(d);
      if (d !== e && !endpointEqual(d, e)) changed = true;
      desired.delete(e.id);
    }
    if (changed || keep.length !== s.endpoints.length) {
      removed += s.endpoints.length - keep.length;
      if (keep.length === 0) deletes.push(s);
      else updates.set(idx, { ...s, endpoints: keep, labelsMatch: true });
    } else if (!s.labelsMatch) {
      updates.set(idx, { ...s, endpoints: [...s.endpoints], labelsMatch: true });
    } else {
      unchanged.push(idx);
    }
  });

  // PopAny in desired order: after step 1 the set is only ever popped, so a cursor over an array does it.
  const pending = [...desired.values()];
  desired.clear();
  let next = 0;
  const added = pending.length;

  // 2. top up slices already being updated, fullest first
  if (topUp && pending.length > 0 && updates.size > 0) {
    const order = [...updates.keys()].sort((a, b) => a - b);
    order.sort((a, b) => updates.get(b)!.endpoints.length - updates.get(a)!.endpoints.length);
    for (const idx of order) {
      const s = updates.get(idx)!;
      while (next < pending.length && s.endpoints.length < max) s.endpoints.push(pending[next++]);
    }
  }

  // 3. leftovers: into the best-fitting unchanged slice only if all of them fit (strict "<" MAX), else new slices
  const creates: SliceState[] = [];
  while (next < pending.length) {
    const remaining = pending.length - next;
    let pick = -1;
    if (remaining < max && unchanged.length > 0) {
      pick = getSliceToFill(
        unchanged.map((i) => existing[i]),
        remaining,
        max,
      );
    }
    let target: SliceState;
    if (pick < 0) {
      target = newSlice(addressType, portKey);
      creates.push(target);
    } else {
      const idx = unchanged[pick];
      unchanged.splice(pick, 1);
      target = { ...existing[idx], endpoints: [...existing[idx].endpoints], labelsMatch: true };
      updates.set(idx, target);
    }
    while (next < pending.length && target.endpoints.length < max) target.endpoints.push(pending[next++]);
  }

  const updateList = [...updates.entries()].sort((a, b) => a[0] - b[0]).map(([, s]) => s);
  return { creates, updates: updateList, deletes, added, removed };
}

const family: FamilyAlgorithm = {
  name: "k8s",
  options: {},
  countsClaims: true,
  acceptsUntouched: true,
  acceptsAsIs: true,
  packPortMap: (ctx) => k8sPackPortMap(ctx),
};

export const k8s: PackingAlgorithm = {
  name: "k8s",
  description: "Upstream EndpointSlice reconciler: keep slices in place, top up slices already being written, best-fit leftovers, never compact",
  options: {},
  acceptsUntouched: true,
  acceptsAsIs: true,
  reconcile: (input) => reconcileFamily(input, family),
};
