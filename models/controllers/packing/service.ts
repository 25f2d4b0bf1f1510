// A whole Service sync across address families (kube's Reconcile, docs/sources.md §7.2): each family of
// svc.spec.ipFamilies is reconciled on its own slices, and slices of any other address type (e.g. the legacy "IP")
// are deleted after all families, never recycled. Go iterates the families as a set; here they go in ipFamilies
// order (the families are independent, so only the order of API calls differs).

import type { AddressFamily, EndpointState, PackingAlgorithm, PackingOptions, SlicePlan, SliceState } from "./types.js";

export interface ServiceReconcileInput {
  /** svc.spec.ipFamilies (or the fallback of docs/sources.md §7.2), 1 or 2 distinct families. */
  families: readonly AddressFamily[];
  maxEndpointsPerSlice: number;
  /** Desired endpoints per family, grouped by port key (see ReconcileInput.desired). A missing family means none. */
  desired: ReadonlyMap<AddressFamily, ReadonlyMap<string, readonly EndpointState[]>>;
  /** All of the Service's slices (the controller's label-selected list, deleting ones dropped). */
  existing: readonly SliceState[];
  /** Name of the i-th slice created in this sync, across families. */
  nameFor: (i: number) => string;
  options?: PackingOptions;
  /** Per family: slices known unchanged, their endpoints left out of `desired` (ReconcileInput.untouched). */
  untouched?: ReadonlyMap<AddressFamily, ReadonlySet<string>>;
  /** Per family: ReconcileInput.claimAsIs. */
  claimAsIs?: ReadonlyMap<AddressFamily, (e: EndpointState) => boolean>;
}

/**
 * One plan per family, in `families` order; apply them in order (each is creates, updates, deletes). Unsupported-type
 * deletes are at the end of the last plan's deletes and counted in its metrics.unsupportedDeletes.
 */
export function reconcileService(algorithm: PackingAlgorithm, input: ServiceReconcileInput): SlicePlan[] {
  const families = input.families;
  if (families.length === 0 || families.length > 2 || new Set(families).size !== families.length) {
    throw new Error(`reconcileService: families must be 1 or 2 distinct address families (got ${JSON.stringify(families)})`);
  }
  const unsupported = input.existing.filter((s) => !families.includes(s.addressType as AddressFamily));
  let offset = 0;
  return families.map((family, i) => {
    const own = input.existing.filter((s) => s.addressType === family);
    const base = offset;
    const plan = algorithm.reconcile({
      addressType: family,
      maxEndpointsPerSlice: input.maxEndpointsPerSlice,
      desired: input.desired.get(family) ?? new Map(),
      existing: i === families.length - 1 ? [...own, ...unsupported] : own,
      nameFor: (k) => input.nameFor(base + k),
      options: input.options,
      untouched: input.untouched?.get(family),
      claimAsIs: input.claimAsIs?.get(family),
    });
    offset += plan.creates.length;
    return plan;
  });
}
