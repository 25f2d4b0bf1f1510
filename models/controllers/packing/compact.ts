// Always the minimum number of slices per port map, m = ceil(n/MAX) (0 when n = 0): the lower bound on slice count,
// and the upper bound on churn among the algorithms here, since every sync may move endpoints to get there.
//
// Within that constraint it writes as little as it can:
// - the m existing slices holding the most still-desired endpoints are kept (ties: input order), the others deleted
//   (finalize then recycles deletes into the creates, docs/sources.md §7.6);
// - a kept slice keeps its endpoints in place (at most MAX; a slice above MAX from a larger MAX is cut down);
// - leftovers (new endpoints in desired order, then the endpoints of dropped slices and what a slice above MAX sheds,
//   in slice order) go first into kept slices that are being written anyway (fullest first), then into the m − kept
//   new slices, and only then into unchanged kept slices (the fullest that takes all of them, else the emptiest);
// - a kept slice whose content and labels would not change is not written.
// Slices the caller knows are unchanged (untouched, as k8s takes them) are claimed whole without looking at their
// endpoints, unchanged endpoints of other slices as they stand (claimAsIs), and the plan is the same as with the whole
// desired set.
// The placeholder rule is kept (shared.ts): with no endpoints the Service has one empty slice, as upstream.

import { type FamilyAlgorithm, type PortMapContext, type PortMapResult, claimExisting, newSlice, portMapSize, reconcileFamily } from "./shared.js";
import type { EndpointState, PackingAlgorithm, SliceState } from "./types.js";

interface Slot {
  idx: number;
  /** The slice's kept endpoints, copied (`own`) before the first is added: an untouched slice's list is its own. */
  endpoints: EndpointState[];
  own: boolean;
  dirty: boolean;
}

export function compactPackPortMap(ctx: PortMapContext): PortMapResult {
  const { existing, desired, max, addressType, portKey, untouched } = ctx;
  const claim = ctx.claim ?? claimExisting(existing, desired, untouched, ctx.claimAsIs);
  const n = portMapSize(ctx, claim);
  const m = n === 0 ? 0 : Math.ceil(n / max);

  const ranked = existing
    .map((_, i) => i)
    .filter((i) => claim.kept[i].length > 0)
    .sort((a, b) => Math.min(claim.kept[b].length, max) - Math.min(claim.kept[a].length, max) || a - b);
  const keptIdx = new Set(ranked.slice(0, m));

  const leftovers: EndpointState[] = [];
  for (const e of desired.values()) if (!claim.claimed.has(e.id)) leftovers.push(e);
  const slots: Slot[] = [];
  const deletes: SliceState[] = [];
  existing.forEach((s, i) => {
    const kept = claim.kept[i];
    if (!keptIdx.has(i)) {
      deletes.push(s);
      leftovers.push(...kept);
      return;
    }
    if (kept.length > max) leftovers.push(...kept.slice(max));
    const over = kept.length > max;
    slots.push({ idx: i, endpoints: over ? kept.slice(0, max) : (kept as EndpointState[]), own: over, dirty: claim.changed[i] || over || !s.labelsMatch });
  });
  let next = 0;
  const fill = (target: EndpointState[]): void => {
    while (next < leftovers.length && target.length < max) target.push(leftovers[next++]);
  };
  const fillSlot = (slot: Slot): void => {
    if (next >= leftovers.length || slot.endpoints.length >= max) return;
    if (!slot.own) {
      slot.endpoints = [...slot.endpoints];
      slot.own = true;
    }
    fill(slot.endpoints);
  };

  const dirty = slots.filter((s) => s.dirty).sort((a, b) => b.endpoints.length - a.endpoints.length || a.idx - b.idx);
  for (const s of dirty) fillSlot(s);

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
    fillSlot(slot);
  }

  const updates = slots
    .filter((s) => s.dirty)
    .sort((a, b) => a.idx - b.idx)
    .map((s) => ({ ...existing[s.idx], endpoints: s.own ? s.endpoints : [...s.endpoints], labelsMatch: true }));
  return { creates, updates, deletes };
}

const family: FamilyAlgorithm = {
  name: "compact",
  options: {},
  acceptsUntouched: true,
  acceptsAsIs: true,
  packPortMap: (ctx) => compactPackPortMap(ctx),
};

export const compact: PackingAlgorithm = {
  name: "compact",
  description: "Always ceil(n/MAX) slices per port map, reusing existing slices and leaving unchanged ones alone",
  options: {},
  acceptsUntouched: true,
  acceptsAsIs: true,
  reconcile: (input) => reconcileFamily(input, family),
};
