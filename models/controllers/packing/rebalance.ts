// k8s plus active rebalancing, after the ¼-threshold compaction of the original KEP draft (docs/sources.md §13,
// kubernetes/enhancements PR #1086), which the shipped controller does not have.
//
// After the k8s lists for a family are computed (before the placeholder rule and finalize), slices with
// 0 < len < threshold·MAX are drained into other slices of the same port map, emptiest first (ties: port-map order,
// then input order, created slices last). Receivers must hold at least as many endpoints as the donor and have room;
// slices already being written are used first (no extra write), then the fullest. A donor that empties is deleted
// (or, if it was a create, not created). A donor that cannot be emptied within the budget is drained partially into
// the receivers the budget pays for, each of which is then full.
//
// Budget: writes after recycling, C + U + D − min(C, E) (E = recyclable deletes, docs/sources.md §7.6), may exceed the k8s plan's
// by at most writeBudget per family per sync. With the default 2 a steady Service does one merge (delete the donor,
// update one receiver) per sync.
//
// Convergence: every move goes from a donor to a receiver at least as full, so Σ len² strictly increases; it is
// bounded, so with no pod changes the merges stop after finitely many syncs and then no sync writes.
// Donors and receivers are never the same slice within a sync, and a slice that received endpoints is no donor.

import { k8sPackPortMap } from "./k8s.js";
import { type FamilyAlgorithm, type FamilyLists, reconcileFamily, writesAfterRecycling } from "./shared.js";
import type { PackingAlgorithm, SliceState } from "./types.js";

type Status = "clean" | "update" | "create";

interface Live {
  slice: SliceState; // current content (a private copy once touched)
  original: SliceState; // the existing slice, or the k8s create
  status: Status;
  keyOrder: number;
  order: number;
  removed: boolean;
  received: boolean;
}

export function rebalanceLists(lists: FamilyLists, threshold: number, writeBudget: number): void {
  if (threshold <= 0 || writeBudget <= 0) return;
  const max = lists.max;
  const limit = threshold * max;
  const base = writesAfterRecycling(lists);
  const deleted = new Set(lists.deletes.map((s) => s.name));
  const updatedByName = new Map(lists.updates.map((s) => [s.name, s]));

  const byKey = new Map<string, Live[]>();
  lists.desiredKeys.forEach((key, keyOrder) => {
    const live: Live[] = [];
    let order = 0;
    for (const s of lists.ownedByKey.get(key) ?? []) {
      if (deleted.has(s.name)) continue;
      const u = updatedByName.get(s.name);
      live.push({ slice: u ?? s, original: s, status: u ? "update" : "clean", keyOrder, order: order++, removed: false, received: false });
    }
    for (const c of lists.creates) {
      if (c.portKey === key) live.push({ slice: c, original: c, status: "create", keyOrder, order: order++, removed: false, received: false });
    }
    byKey.set(key, live);
  });

  const counts = { c: lists.creates.length, u: lists.updates.length, d: lists.deletes.length, e: 0 };
  for (const d of lists.deletes) if (d.addressType === lists.addressType && d.ownedByService) counts.e++;
  const writes = (k: typeof counts): number => k.c + k.u + k.d - Math.min(k.c, k.e);
  const affordable = (k: typeof counts): boolean => writes(k) - base <= writeBudget;

  const candidates = [...byKey.values()]
    .flat()
    .filter((l) => l.slice.endpoints.length > 0 && l.slice.endpoints.length < limit)
    .sort((a, b) => a.slice.endpoints.length - b.slice.endpoints.length || a.keyOrder - b.keyOrder || a.order - b.order);

  const newlyUpdated: Live[] = [];
  const newlyDeleted: SliceState[] = [];
  const touch = (l: Live): void => {
    if (l.slice === l.original || l.slice === updatedByName.get(l.original.name)) {
      l.slice = { ...l.slice, endpoints: [...l.slice.endpoints], labelsMatch: true };
    }
    if (l.status === "clean") {
      l.status = "update";
      newlyUpdated.push(l);
    }
  };

  for (const donor of candidates) {
    if (donor.removed || donor.received) continue;
    const size = donor.slice.endpoints.length;
    const receivers = byKey
      .get(lists.desiredKeys[donor.keyOrder])!
      .filter((l) => l !== donor && !l.removed && l.slice.endpoints.length >= size && l.slice.endpoints.length < max)
      .sort(
        (a, b) => (a.status === "clean" ? 1 : 0) - (b.status === "clean" ? 1 : 0) || b.slice.endpoints.length - a.slice.endpoints.length || a.order - b.order,
      );
    if (receivers.length === 0) continue;

    // Counts after using the first `use` receivers; `drain` empties the donor.
    const costOf = (use: number, drain: boolean): typeof counts => {
      const k = { ...counts };
      for (let i = 0; i < use; i++) if (receivers[i].status === "clean") k.u++;
      if (!drain) {
        if (donor.status === "clean") k.u++;
      } else if (donor.status === "clean") {
        k.d++;
        k.e++;
      } else if (donor.status === "update") {
        k.u--;
        k.d++;
        k.e++;
      } else {
        k.c--;
      }
      return k;
    };
    const roomOf = (use: number): number => {
      let room = 0;
      for (let i = 0; i < use; i++) room += max - receivers[i].slice.endpoints.length;
      return room;
    };

    let needed = 0;
    while (needed < receivers.length && roomOf(needed) < size) needed++;
    let use = 0;
    let drain = false;
    if (roomOf(needed) >= size && affordable(costOf(needed, true))) {
      use = needed;
      drain = true;
    } else {
      // Partial: the most receivers the budget pays for, each filled to MAX, the donor kept.
      while (use < receivers.length && roomOf(use + 1) < size && affordable(costOf(use + 1, false))) use++;
      if (use === 0) continue;
    }
    const after = costOf(use, drain);

    // Apply: move endpoints from the donor's tail into the receivers, in receiver order.
    touch(donor);
    for (let i = 0; i < use; i++) {
      const r = receivers[i];
      touch(r);
      r.received = true;
      while (r.slice.endpoints.length < max && donor.slice.endpoints.length > 0) {
        r.slice.endpoints.push(donor.slice.endpoints.pop()!);
      }
    }
    if (drain) {
      donor.removed = true;
      if (donor.status !== "create") newlyDeleted.push(donor.original);
    }
    Object.assign(counts, after);
  }

  // Rebuild the lists: k8s order first, then what rebalancing added.
  const liveByCreate = new Map<SliceState, Live>();
  const liveByName = new Map<string, Live>();
  for (const live of byKey.values()) {
    for (const l of live) {
      if (l.status === "create" || l.original.name === "") liveByCreate.set(l.original, l);
      else liveByName.set(l.original.name, l);
    }
  }
  lists.creates = lists.creates.filter((c) => !liveByCreate.get(c)?.removed).map((c) => liveByCreate.get(c)?.slice ?? c);
  const updates: SliceState[] = [];
  for (const u of lists.updates) {
    const l = liveByName.get(u.name);
    if (l === undefined) updates.push(u);
    else if (!l.removed) updates.push(l.slice);
  }
  for (const l of newlyUpdated) if (!l.removed) updates.push(l.slice);
  lists.updates = updates;
  lists.deletes = [...lists.deletes, ...newlyDeleted];
}

const family: FamilyAlgorithm = {
  name: "rebalance",
  options: {
    threshold: {
      default: 0.25,
      min: 0,
      max: 1,
      integer: false,
      description: "slices with fewer than threshold·MAX endpoints are merged into others (KEP draft's ¼ rule)",
    },
    writeBudget: {
      default: 2,
      min: 0,
      max: 1000,
      integer: true,
      description: "extra slice writes per family per sync allowed beyond the k8s plan",
    },
  },
  countsClaims: true,
  // k8s takes untouched slices and endpoints claimed as they stand; the rebalancing reads every slice's content from
  // the existing slices and the plan, never from desired
  acceptsUntouched: true,
  acceptsAsIs: true,
  packPortMap: (ctx) => k8sPackPortMap(ctx),
  postProcess: (lists, options) => rebalanceLists(lists, options.threshold, options.writeBudget),
};

export const rebalance: PackingAlgorithm = {
  name: "rebalance",
  description: "k8s plus merging of slices below a fill threshold into others, under a per-sync write budget",
  options: family.options,
  acceptsUntouched: true,
  acceptsAsIs: true,
  reconcile: (input) => reconcileFamily(input, family),
};
