// The part of a sync every algorithm shares: input checks, splitting the existing slices, the placeholder rule,
// finalize's create->update recycling, API order and metrics (docs/sources.md §7.2, §1.3, §1.6, §4).
// An algorithm only decides how one port map's endpoints are laid out (PortMapPacker), and optionally revises the
// whole family's lists before the placeholder rule (postProcess, used by rebalance).

import {
  EMPTY_PORT_KEY,
  type AddressFamily,
  type EndpointState,
  type OptionSpec,
  type PackingOptions,
  type ReconcileInput,
  type SlicePlan,
  type SliceState,
  endpointEqual,
} from "./types.js";

export interface PortMapContext {
  portKey: string;
  addressType: AddressFamily;
  max: number;
  /** This Service's owned slices of this family and port key, in input order. */
  existing: readonly SliceState[];
  /** Desired endpoints of this port key by id, in desired order. The packer may consume it. */
  desired: Map<string, EndpointState>;
  /** Existing slices known to be unchanged (ReconcileInput.untouched); their endpoints are not in `desired`. */
  untouched?: ReadonlySet<string>;
  /** claimExisting(existing, desired, untouched, claimAsIs), computed by the driver for algorithms that do not count claims. */
  claim?: Claim;
  /** ReconcileInput.claimAsIs: endpoints of slices not untouched that stand as desired (left out of `desired`). */
  claimAsIs?: (e: EndpointState) => boolean;
}

export interface PortMapResult {
  /** New slices, name "" (named by finalize), portKey and addressType set. */
  creates: SliceState[];
  /** New versions of existing slices (same name). */
  updates: SliceState[];
  /** Existing slices to delete. */
  deletes: SliceState[];
  /** Upstream's numAdded/numRemoved; required when the algorithm sets countsClaims, else computed by claimExisting. */
  added?: number;
  removed?: number;
}

export type PortMapPacker = (ctx: PortMapContext) => PortMapResult;

/** The family's pending lists before the placeholder rule and finalize; postProcess may rewrite them. */
export interface FamilyLists {
  addressType: AddressFamily;
  max: number;
  /** Desired port keys, in desired order. */
  desiredKeys: readonly string[];
  /** Owned slices of this family by port key (desired or not), input order. */
  ownedByKey: ReadonlyMap<string, readonly SliceState[]>;
  creates: SliceState[];
  updates: SliceState[];
  deletes: SliceState[];
}

export interface FamilyAlgorithm {
  name: string;
  options: Readonly<Record<string, OptionSpec>>;
  /** packPortMap reports added/removed itself (k8s), so the generic claim pass is skipped. */
  countsClaims?: boolean;
  /** packPortMap honours PortMapContext.untouched. */
  acceptsUntouched?: boolean;
  /** packPortMap honours PortMapContext.claimAsIs (and counts claims itself). */
  acceptsAsIs?: boolean;
  /** Options are passed on as given, unchecked (a plugin checks its own). */
  freeOptions?: boolean;
  packPortMap: (ctx: PortMapContext, options: Readonly<Record<string, number>>) => PortMapResult;
  postProcess?: (lists: FamilyLists, options: Readonly<Record<string, number>>) => void;
}

/** Checks options against an algorithm's specs and fills in defaults. */
export function resolveOptions(algorithm: string, specs: Readonly<Record<string, OptionSpec>>, options: PackingOptions | undefined): Record<string, number> {
  const allowed = Object.keys(specs);
  const out: Record<string, number> = {};
  for (const [key, spec] of Object.entries(specs)) out[key] = spec.default;
  for (const [key, value] of Object.entries(options ?? {})) {
    const spec = specs[key];
    if (spec === undefined) {
      throw new Error(`packing algorithm "${algorithm}": unknown option "${key}" (allowed: ${allowed.length > 0 ? allowed.join(", ") : "none"})`);
    }
    const ok = typeof value === "number" && Number.isFinite(value) && value >= spec.min && value <= spec.max && (!spec.integer || Number.isInteger(value));
    if (!ok) {
      throw new Error(
        `packing algorithm "${algorithm}": option "${key}" must be ${spec.integer ? "an integer" : "a number"} in ${spec.min}..${spec.max} (got ${String(value)})`,
      );
    }
    out[key] = value;
  }
  return out;
}

/** docs/sources.md §10 numDesiredSlices: 0 if n = 0, 1 if n ≤ MAX, else ceil(n/MAX). */
export function numDesiredSlices(numEndpoints: number, max: number): number {
  if (numEndpoints === 0) return 0;
  if (numEndpoints <= max) return 1;
  return Math.ceil(numEndpoints / max);
}

export interface EfficiencyInfo {
  endpoints: number;
  slices: number;
}

/** docs/sources.md §10 ServicePortCache.totals: sums over port maps; desired slices is at least 1 (there is always a placeholder). */
export function efficiencyTotals(items: Iterable<EfficiencyInfo>, max: number): { endpoints: number; actualSlices: number; desiredSlices: number } {
  let endpoints = 0;
  let actualSlices = 0;
  let desiredSlices = 0;
  for (const item of items) {
    endpoints += item.endpoints;
    actualSlices += item.slices;
    desiredSlices += numDesiredSlices(item.endpoints, max);
  }
  return { endpoints, actualSlices, desiredSlices: Math.max(1, desiredSlices) };
}

export interface Claim {
  /** Per existing slice: the desired versions of the endpoints it claims, in slice order (read-only: an untouched slice's own list). */
  kept: (readonly EndpointState[])[];
  /** Per existing slice: it lost an endpoint (stale or duplicate) or one of its endpoints' attributes changed. */
  changed: boolean[];
  /** Desired endpoints no existing slice claims. */
  added: number;
  /** Endpoints dropped from existing slices (stale, or already claimed by an earlier slice). */
  removed: number;
  /** Ids of desired endpoints some existing slice claims. */
  claimed: ReadonlySet<string>;
  /** Endpoints claimed as they stand (claimAsIs), in claim order: desired too, though not in `desired`. */
  asIs: readonly EndpointState[];
}

/**
 * Step 1 of reconcileByPortMapping without consuming the desired set: slices are walked in input order and the first
 * slice holding an endpoint id claims it (docs/sources.md §7.4 step 1).
 */
export function claimExisting(
  existing: readonly SliceState[],
  desired: ReadonlyMap<string, EndpointState>,
  untouched?: ReadonlySet<string>,
  claimAsIs?: (e: EndpointState) => boolean,
): Claim {
  const claimed = new Set<string>();
  const asIs: EndpointState[] = [];
  const kept: (readonly EndpointState[])[] = [];
  const changed: boolean[] = [];
  let removed = 0;
  for (const s of existing) {
    if (untouched?.has(s.name)) {
      // exactly desired endpoints with equal attributes, left out of `desired`: kept as they are
      kept.push(s.endpoints);
      changed.push(false);
      continue;
    }
    const keep: EndpointState[] = [];
    let attrsChanged = false;
    for (const e of s.endpoints) {
      if (claimAsIs?.(e)) {
        keep.push(e);
        asIs.push(e);
        continue;
      }
      const d = desired.get(e.id);
      if (d === undefined || claimed.has(e.id)) continue;
      claimed.add(e.id);
      keep.push(d);
      if (d !== e && !endpointEqual(d, e)) attrsChanged = true;
    }
    removed += s.endpoints.length - keep.length;
    kept.push(keep);
    changed.push(attrsChanged || keep.length !== s.endpoints.length);
  }
  return { kept, changed, added: desired.size - claimed.size, removed, claimed, asIs };
}

/** The port map's endpoints: those in `desired`, those claimed as they stand and those of untouched slices. */
export function portMapSize(ctx: Pick<PortMapContext, "existing" | "desired" | "untouched">, claim: Pick<Claim, "asIs">): number {
  let n = ctx.desired.size + claim.asIs.length;
  if (ctx.untouched !== undefined) for (const s of ctx.existing) if (ctx.untouched.has(s.name)) n += s.endpoints.length;
  return n;
}

/** Same ids in the same order with equal attributes. */
export function sameEndpoints(a: readonly EndpointState[], b: readonly EndpointState[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i] && (a[i].id !== b[i].id || !endpointEqual(a[i], b[i]))) return false;
  }
  return true;
}

export function newSlice(addressType: AddressFamily, portKey: string, endpoints: EndpointState[] = []): SliceState {
  return { name: "", addressType, portKey, endpoints, ownedByService: true, labelsMatch: true };
}

/** Writes finalize will issue for these lists: recycling pairs min(C, E) creates with recyclable deletes (docs/sources.md §7.6). */
export function writesAfterRecycling(lists: Pick<FamilyLists, "addressType" | "creates" | "updates" | "deletes">): number {
  let recyclable = 0;
  for (const d of lists.deletes) if (d.addressType === lists.addressType && d.ownedByService) recyclable++;
  const c = lists.creates.length;
  return c + lists.updates.length + lists.deletes.length - Math.min(c, recyclable);
}

/** Checks the input; returns the existing slices' names (the driver needs them again when it names new slices). */
function validateInput(input: ReconcileInput, algorithm: string): Set<string> {
  if (input.addressType !== "IPv4" && input.addressType !== "IPv6") {
    throw new Error(`packing algorithm "${algorithm}": addressType must be IPv4 or IPv6 (got ${String(input.addressType)})`);
  }
  const max = input.maxEndpointsPerSlice;
  if (!Number.isInteger(max) || max < 1 || max > 1000) {
    throw new Error(`packing algorithm "${algorithm}": maxEndpointsPerSlice must be an integer in 1..1000 (got ${max})`);
  }
  const names = new Set<string>();
  for (const s of input.existing) {
    if (s.name === "") throw new Error(`packing algorithm "${algorithm}": an existing slice has no name`);
    if (names.has(s.name)) throw new Error(`packing algorithm "${algorithm}": duplicate existing slice name "${s.name}"`);
    names.add(s.name);
  }
  return names;
}

/**
 * One address family of one sync (kube's reconcileByAddressType + finalize, docs/sources.md §7.3 and §1.6), with the port-map
 * packing supplied by the algorithm. Orders where Go iterates maps: port maps in desired order, then port maps that
 * only exist in the existing slices in input order; non-owned slices are deleted first, in input order.
 */
export function reconcileFamily(input: ReconcileInput, algorithm: FamilyAlgorithm): SlicePlan {
  const existingNames = validateInput(input, algorithm.name);
  if (input.untouched !== undefined && !algorithm.acceptsUntouched) {
    throw new Error(`packing algorithm "${algorithm.name}" needs the whole desired set: it does not take untouched slices`);
  }
  if (input.claimAsIs !== undefined && (input.untouched === undefined || !algorithm.acceptsAsIs)) {
    throw new Error(`packing algorithm "${algorithm.name}" does not take endpoints claimed as they stand (claimAsIs), or untouched is missing`);
  }
  const untouched = input.untouched;
  const options = algorithm.freeOptions ? { ...input.options } : resolveOptions(algorithm.name, algorithm.options, input.options);
  const at = input.addressType;
  const max = input.maxEndpointsPerSlice;

  const unsupported: SliceState[] = [];
  const family: SliceState[] = [];
  const ownedByKey = new Map<string, SliceState[]>();
  const deletes: SliceState[] = [];
  for (const s of input.existing) {
    if (s.addressType !== at) {
      unsupported.push(s);
      continue;
    }
    family.push(s);
    if (!s.ownedByService) {
      // e.g. the Service was deleted and recreated with a new UID (docs/sources.md §7.3; §3 case 12b)
      deletes.push(s);
      continue;
    }
    let list = ownedByKey.get(s.portKey);
    if (list === undefined) ownedByKey.set(s.portKey, (list = []));
    list.push(s);
  }

  const creates: SliceState[] = [];
  const updates: SliceState[] = [];
  const efficiency = new Map<string, EfficiencyInfo>();
  let added = 0;
  let removed = 0;
  const desiredKeys: string[] = [];
  for (const [portKey, endpoints] of input.desired) {
    desiredKeys.push(portKey);
    const desired = new Map<string, EndpointState>();
    for (const e of endpoints) desired.set(e.id, e);
    const existing = ownedByKey.get(portKey) ?? [];
    let n = desired.size;
    if (untouched !== undefined) for (const s of existing) if (untouched.has(s.name)) n += s.endpoints.length;
    efficiency.set(portKey, { endpoints: n, slices: 0 });
    // endpoints claimed as they stand are desired too: counted as they are claimed
    let asIs = 0;
    const claimAsIs =
      input.claimAsIs === undefined
        ? undefined
        : (e: EndpointState): boolean => {
            const claimed = input.claimAsIs!(e);
            if (claimed) asIs++;
            return claimed;
          };
    // computed before packing because a packer may consume `desired`
    const claim = algorithm.countsClaims ? undefined : claimExisting(existing, desired, untouched, claimAsIs);
    const result = algorithm.packPortMap({ portKey, addressType: at, max, existing, desired, untouched, claim, claimAsIs }, options);
    efficiency.get(portKey)!.endpoints += asIs;
    const counts = result.added !== undefined && result.removed !== undefined ? result : claim;
    if (counts === undefined) throw new Error(`packing algorithm "${algorithm.name}" reported no added/removed counts`);
    added += counts.added!;
    removed += counts.removed!;
    creates.push(...result.creates);
    updates.push(...result.updates);
    deletes.push(...result.deletes);
  }
  const desiredSet = new Set(desiredKeys);
  for (const [portKey, slices] of ownedByKey) {
    // whole port maps no longer desired; their endpoints are not counted as removed (docs/sources.md §10, case 9)
    if (!desiredSet.has(portKey)) deletes.push(...slices);
  }

  const lists: FamilyLists = { addressType: at, max, desiredKeys, ownedByKey, creates, updates, deletes };
  algorithm.postProcess?.(lists, options);

  // num_endpoint_slices per port map: existing + creates − deletes, before recycling (docs/sources.md §10)
  const deletedNames = new Set(lists.deletes.map((s) => s.name));
  for (const portKey of desiredKeys) {
    const info = efficiency.get(portKey)!;
    const owned = ownedByKey.get(portKey) ?? [];
    const deleted = deletedNames.size === 0 ? 0 : owned.filter((s) => deletedNames.has(s.name)).length;
    info.slices = owned.length - deleted + (lists.creates.length === 0 ? 0 : lists.creates.filter((s) => s.portKey === portKey).length);
  }

  // Placeholder rule (docs/sources.md §7.3): when every slice of this family would go and nothing is created.
  if (family.length === lists.deletes.length && lists.creates.length === 0) {
    const only = lists.deletes.length === 1 ? lists.deletes[0] : undefined;
    const placeholderEqual =
      only !== undefined &&
      only.addressType === at &&
      only.portKey === EMPTY_PORT_KEY &&
      only.endpoints.length === 0 &&
      only.ownedByService &&
      only.labelsMatch;
    if (placeholderEqual) lists.deletes.length = 0;
    else lists.creates.push(newSlice(at, EMPTY_PORT_KEY));
    efficiency.set(EMPTY_PORT_KEY, { endpoints: 0, slices: 1 });
  }

  const final = finalize(at, lists.creates, lists.updates, lists.deletes);

  const createdNames = new Set<string>();
  const named = final.creates.map((s, i) => {
    const name = input.nameFor(i);
    if (typeof name !== "string" || name === "" || existingNames.has(name) || createdNames.has(name)) {
      throw new Error(`packing algorithm "${algorithm.name}": nameFor(${i}) returned "${String(name)}", which is empty or already in use`);
    }
    createdNames.add(name);
    return { ...s, name };
  });

  const totals = efficiencyTotals(efficiency.values(), max);
  return {
    creates: named,
    updates: final.updates,
    deletes: [...final.deletes, ...unsupported],
    metrics: {
      added,
      removed,
      desiredEndpoints: totals.endpoints,
      desiredSlices: totals.desiredSlices,
      actualSlices: totals.actualSlices,
      changedPerSync: named.length + final.updates.length + final.deletes.length,
      recycled: final.recycled,
      unsupportedDeletes: unsupported.length,
    },
  };
}

/**
 * finalize's recycling (docs/sources.md §7.6): while creates remain, the last create takes the name of the next deletable slice
 * of the same address type owned by this Service and becomes an update. Closed form: r = min(C, E) creates recycled,
 * leaving C − r creates, U + r updates, D − r deletes.
 */
export function finalize(
  addressType: AddressFamily,
  creates: SliceState[],
  updates: SliceState[],
  deletes: SliceState[],
): { creates: SliceState[]; updates: SliceState[]; deletes: SliceState[]; recycled: number } {
  const c = [...creates];
  const u = [...updates];
  const d = [...deletes];
  let recycled = 0;
  let i = 0;
  while (i < d.length && c.length > 0) {
    const del = d[i];
    if (del.addressType === addressType && del.ownedByService) {
      const created = c.pop()!;
      u.push({ ...created, name: del.name });
      d.splice(i, 1);
      recycled++;
    } else {
      i++;
    }
  }
  return { creates: c, updates: u, deletes: d, recycled };
}
