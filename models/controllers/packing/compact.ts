// Always the minimum number of slices per port map, m = ceil(n/MAX) (0 when n = 0): the lower bound on slice count,
// and the upper bound on churn among the algorithms here, since every sync may move endpoints to get there.
//
// Within that constraint it writes as little as it can:
// - the m existing slices holding the most still-desired endpoints are kept (ties: input order), the others deleted
//   (finalize then recycles deletes into the creates, facts endpointslice.md §1.6);
// - a kept slice keeps its endpoints in place (at most MAX; a slice above MAX from a larger MAX is cut down);
// - leftovers go first into kept slices that are being written anyway (fullest first), then into the m − kept new
//   slices, and only then into untouched kept slices (the fullest that takes all of them, else the emptiest);
// - a kept slice whose content and labels would not change is not written.
// The placeholder rule is kept (shared.ts): with no endpoints the Service has one empty slice, as upstream.

import { type FamilyAlgorithm, type PortMapContext, type PortMapResult, claimExisting, newSlice, reconcileFamily } from "./shared.js";
import type { EndpointState, PackingAlgorithm, SliceState } from "./types.js";

interface Slot {
  idx: number;
  endpoints: EndpointState[];
  dirty: boolean;
}

export function compactPackPortMap(ctx: PortMapContext): PortMapResult {
  const { existing, desired, max, addressType, portKey } = ctx;
  const claim = claimExisting(existing, desired);
  const n = desired.size;
  const m = n === 0 ? 0 : Math.ceil(n / max);

  const ranked = existing
    .map((_, i) => i)
    .filter((i) => claim.kept[i].length > 0)
    .sort((a, b) => Math.min(claim.kept[b].length, max) - Math.min(claim.kept[a].length, max) || a - b);
  const keptIdx = new Set(ranked.slice(0, m));

  const placed = new Set<string>();
  const slots: Slot[] = [];
  const deletes: SliceState[] = [];
  existing.forEach((s, i) => {
    if (!keptIdx.has(i)) {
      deletes.push(s);
      return;
    }
    const kept = claim.kept[i];
    const endpoints = kept.slice(0, max);
    for (const e of endpoints) placed.add(e.id);
    slots.push({ idx: i, endpoints, dirty: claim.changed[i] || kept.length > max || !s.labelsMatch });
  });

  const leftovers: EndpointState[] = [];
  for (const e of desired.values()) if (!placed.has(e.id)) leftovers.push(e);
  let next = 0;
  const fill = (target: EndpointState[]): void => {
    while (next < leftovers.length && target.length < max) target.push(leftovers[next++]);
  };

  const dirty = slots.filter((s) => s.dirty).sort((a, b) => b.endpoints.length - a.endpoints.length || a.idx - b.idx);
  for (const s of dirty) fill(s.endpoints);

  const creates: SliceState[] = [];
  for (let c = slots.length; c < m && next < leftovers.length; c++) {
    const s = newSlice(addressType, portKey);
    fill(s.endpoints);
    creates.push(s);
  }

  const clean = slots.filter((s) => !s.dirty);
  while (next < leftovers.length) {
    const remaining = leftovers.length - next;
    let pick = -1;
    for (let i = 0; i < clean.length; i++) {
      const room = max - clean[i].endpoints.length;
      if (room >= remaining && (pick < 0 || clean[i].endpoints.length > clean[pick].endpoints.length)) pick = i;
    }
    if (pick < 0) {
      for (let i = 0; i < clean.length; i++) {
        if (pick < 0 || clean[i].endpoints.length < clean[pick].endpoints.length) pick = i;
      }
    }
    if (pick < 0 || clean[pick].endpoints.length >= max) {
      throw new Error("compact: no room left for leftovers (capacity invariant broken)");
    }
    const [slot] = clean.splice(pick, 1);
    slot.dirty = true;
    fill(slot.endpoints);
  }

  const updates = slots
    .filter((s) => s.dirty)
    .sort((a, b) => a.idx - b.idx)
    .map((s) => ({ ...existing[s.idx], endpoints: s.endpoints, labelsMatch: true }));
  return { creates, updates, deletes };
}

const family: FamilyAlgorithm = {
  name: "compact",
  options: {},
  packPortMap: (ctx) => compactPackPortMap(ctx),
};

export const compact: PackingAlgorithm = {
  name: "compact",
  description: "Always ceil(n/MAX) slices per port map, reusing existing slices and leaving unchanged ones alone",
  options: {},
  reconcile: (input) => reconcileFamily(input, family),
};
