// Pure EndpointSlice packing: the types shared by every algorithm.
// Sources: docs/sources.md (cited below as "docs/sources.md §N").

/** Address types an EndpointSlice can carry. The controller only writes IPv4/IPv6; "IP" is legacy, "FQDN" deprecated. */
export type SliceAddressType = "IPv4" | "IPv6" | "IP" | "FQDN";
export type AddressFamily = "IPv4" | "IPv6";

/** One desired endpoint of one address family. */
export interface EndpointState {
  /**
   * Identity. Kubernetes hashes (addresses, hostname, targetRef namespace/name) (docs/sources.md §7.4): a pod IP change is a
   * different endpoint, a readiness or zone change is the same endpoint with changed attributes. Use a stable key
   * such as the pod IP.
   */
  id: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  zone?: string;
}

export interface SliceState {
  name: string;
  addressType: SliceAddressType;
  /**
   * The slice's port mapping (kube: PortMapKey of its ports). A nil and an empty port list hash equal upstream
   * (docs/sources.md §9 case 17): callers must map "no ports" to EMPTY_PORT_KEY.
   */
  portKey: string;
  endpoints: EndpointState[];
  /** An ownerRef to this Service's current UID (kind Service, apiVersion v1). */
  ownedByService: boolean;
  /**
   * The slice carries the labels the controller would set now (Service labels + reserved labels). One boolean stands
   * for both upstream comparisons (non-reserved labels in step 1, all labels in the placeholder check).
   */
  labelsMatch: boolean;
}

/** Port key of a slice with no ports: the placeholder's key, and a headless Service without ports. */
export const EMPTY_PORT_KEY = "";

export type PackingOptions = Readonly<Record<string, number>>;

export interface ReconcileInput {
  addressType: AddressFamily;
  /** 1..1000 (docs/sources.md §8). */
  maxEndpointsPerSlice: number;
  /**
   * Desired endpoints grouped by port mapping, in pod order. A key with an empty list is meaningful: upstream creates
   * the port map's entry before it knows whether the pod yields an endpoint (docs/sources.md §7.3). Duplicate ids within a key
   * collapse to one endpoint, the last one's attributes win (a Go map insert), at the first one's position.
   */
  desired: ReadonlyMap<string, readonly EndpointState[]>;
  /**
   * This family's slices of the Service, in informer order, plus slices of any other address type, which are
   * unsupported here and deleted after this family's calls, never recycled (docs/sources.md §7.2). For a dual-stack Service do
   * not pass the other family's slices: use reconcileService (service.ts), which routes them.
   */
  existing: readonly SliceState[];
  /** Name of the i-th created slice of this call (i = 0, 1, ... in create order), called once per create. */
  nameFor: (i: number) => string;
  /** Algorithm parameters; each algorithm lists what it accepts in PackingAlgorithm.options. */
  options?: PackingOptions;
  /**
   * Names of existing slices the caller knows hold exactly desired endpoints, with equal attributes and matching
   * labels; their endpoints are left out of `desired`. Lets a simulator sync a big Service in time proportional to
   * what changed. Only algorithms with `acceptsUntouched` take it (others need the whole desired set).
   */
  untouched?: ReadonlySet<string>;
  /**
   * With `untouched`: for an endpoint of a slice not in `untouched`, true when the caller knows it is desired exactly
   * as it stands (its pod did not change) and it has not been claimed before in this call; false otherwise. Such
   * endpoints are left out of `desired`, so a sync revisits a slice without looking up its unchanged endpoints. Only
   * algorithms with `acceptsAsIs` take it.
   */
  claimAsIs?: (e: EndpointState) => boolean;
}

/** What the reconciler reports to the metrics of docs/sources.md §10, for one address family of one sync. */
export interface SyncMetrics {
  /** endpoints_added_per_sync: desired endpoints not found in any existing slice of their port map. */
  added: number;
  /** endpoints_removed_per_sync: endpoints dropped from existing slices of desired port maps (not whole dropped maps). */
  removed: number;
  /** endpoints_desired contribution: desired endpoints over port maps (placeholder port map counts 0). */
  desiredEndpoints: number;
  /** desired_endpoint_slices contribution: Σ per port map of numDesiredSlices, at least 1. */
  desiredSlices: number;
  /** num_endpoint_slices contribution: Σ per desired port map of existing + creates − deletes, before recycling. */
  actualSlices: number;
  /** endpointslices_changed_per_sync: creates + updates + deletes after recycling, unsupported-type deletes excluded. */
  changedPerSync: number;
  /** Creates turned into updates of to-be-deleted slices by finalize (docs/sources.md §7.6). */
  recycled: number;
  /** Deletes of slices with an address type other than this family's; counted in changes{delete} only. */
  unsupportedDeletes: number;
}

/** API calls in upstream order: every create, then every update, then every delete (docs/sources.md §7.6). */
export interface SlicePlan {
  creates: SliceState[];
  updates: SliceState[];
  /** This family's deletes, then unsupported-type deletes (docs/sources.md §7.2). */
  deletes: SliceState[];
  metrics: SyncMetrics;
}

export interface OptionSpec {
  default: number;
  min: number;
  max: number;
  integer: boolean;
  description: string;
}

export interface PackingAlgorithm {
  name: string;
  description: string;
  /** Parameters accepted in ReconcileInput.options; anything else is rejected. */
  options: Readonly<Record<string, OptionSpec>>;
  /** Honours ReconcileInput.untouched. */
  acceptsUntouched?: boolean;
  /** Honours ReconcileInput.claimAsIs. */
  acceptsAsIs?: boolean;
  /** Takes any options as given (a plugin checks its own); `options` then lists none. */
  freeOptions?: boolean;
  reconcile(input: ReconcileInput): SlicePlan;
}

/**
 * kube's EndpointsEqualBeyondHash restricted to the modelled fields: nodeName, zone, ready, serving, terminating
 * (hints are not compared) (docs/sources.md §7.4).
 */
export function endpointEqual(a: EndpointState, b: EndpointState): boolean {
  return a.ready === b.ready && a.serving === b.serving && a.terminating === b.terminating && a.nodeName === b.nodeName && a.zone === b.zone;
}
