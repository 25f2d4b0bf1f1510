/**
 * Where cluster DNS runs and how a pod's query gets there: a declarative description per placement for the
 * simulation loop (written elsewhere). One file per placement in ./placements/, registry in ./placements/built-ins.ts (one line each).
 *
 * What the loop must do with each property is written on the property. In short, per node and time step:
 *  1. Expand each pod lookup into queries with resolver.ts (`queriesForLookup`), wrapping the oracle with
 *     `withAutopath` when `autopath` is true.
 *  2. Send those queries over `clientLink` to `firstTier`. If `clientLink.conntracked`, add the lookup's UDP flows to
 *     the client node's ConntrackTable (and to the serving node's table when `clientLink.locality` is not
 *     "same-node"); if `clientLink.raceExposed`, apply `dnsRaceLossProbability` to the lookup's `racePairs`.
 *  3. At a caching tier, split hits and misses with the tier's `cache` (coredns.ts hit-ratio functions); send misses
 *     for cluster names over `clusterUpstream` and for external names over `externalUpstream`.
 *  4. Load CoreDNS replicas with what reaches them (coredns.ts `corednsStep`); charge API watches from `components`.
 *  5. On a per-node restart of the node-level component, apply `onNodeRestart(kubeProxyMode)`.
 */
import { linearReplicas, uniformCluster } from "./autoscaler.js";
import type { CacheConfig } from "./coredns.js";

/** A DNS tier: the per-node cache, a per-zone cache, a full CoreDNS on the node, or central CoreDNS. */
export type TierName = "node-cache" | "zonal-cache" | "node-coredns" | "central";

export type KubeProxyMode = "iptables" | "ipvs";

/** One hop a DNS query takes. */
export interface LinkSpec {
  /** The receiver. "upstream-resolver" = the node's / VPC resolver outside the cluster. */
  to: TierName | "upstream-resolver";
  /**
   * Where the receiver is relative to the sender. Loop: "same-node" adds no cross-node traffic and no conntrack entry
   * on another node; "same-zone" / "any-node" route to a random instance in the zone / cluster.
   */
  locality: "same-node" | "same-zone" | "any-node" | "outside-cluster";
  /** kube-proxy DNATs the flow (ClusterIP → endpoint). Loop: required for the insertion race. */
  dnat: boolean;
  /**
   * The flow creates conntrack entries. Loop: add its flows to the sender node's ConntrackTable (UDP: one per
   * 5-tuple, `udpFlows` of a lookup; TCP: connections) and, for a pod receiver on another node, to that node's too.
   */
  conntracked: boolean;
  /**
   * "udp": one flow per client socket (each lookup candidate opens a fresh port: `udpFlows` of a lookup).
   * "udp-reuse": the forward plugin's pooled UDP sockets (10 s idle expiry, docs/sources.md §1.2): a handful of flows
   * per sender, treat like "tcp-reuse" without TIME_WAIT. "tcp-reuse": pooled connections (force_tcp, 10 s idle
   * expiry): use coredns.ts `forwardTcpConnections` for open connections and closes, each close a TIME_WAIT entry.
   */
  transport: "udp" | "udp-reuse" | "tcp-reuse";
  /** Both qtypes leave one UDP socket concurrently through DNAT: apply conntrack.ts `dnsRaceLossProbability`. */
  raceExposed: boolean;
  /** DNAT backends the client sees: 1 when kube-proxy prefers the single local endpoint (no race 3), else many. */
  dnatBackends: "one" | "many" | "none";
}

export type ComponentName = "coredns" | "node-local-dns" | "zonal-cache";
export type WatchedResource = "services" | "endpointslices" | "pods";

export interface ClusterShape {
  nodes: number;
  coresPerNode: number;
  zones: number;
  pods: number;
  services: number;
  /** Endpoints of the Services (what a CoreDNS instance caches from EndpointSlices). */
  endpoints: number;
  /** Central CoreDNS replicas; default: cluster-proportional-autoscaler linear defaults (docs/sources.md §5). */
  centralReplicas?: number;
  /** vCPUs a central CoreDNS replica gets; default CENTRAL_COREDNS_CORES. */
  corednsCores?: number;
  /** CoreDNS's memory limit, MiB; default 170 (the upstream manifests). */
  corednsMemoryLimitMiB?: number;
}

/** A group of identical instances a placement runs. Loop: cost = count × per-instance figures. */
export interface ComponentGroup {
  component: ComponentName;
  /** The DNS tier the group's instances serve. */
  tier: TierName;
  /** What the group is for, e.g. "central" or "per node". */
  role: string;
  count: number;
  /** API resources each instance lists and watches (empty: none). Loop: count watchers × resources for API load. */
  watches: readonly WatchedResource[];
  cpuRequestMillicores: number;
  memoryRequestMiB: number;
  /** Expected resident memory per instance, MB. */
  memoryMB: number;
  /** Memory limit per instance, MiB (OOM-killed above it), or null for none. */
  memoryLimitMiB: number | null;
  /** Server-side QPS one vCPU of an instance serves (cache misses; hits are cheaper but unmeasured). */
  qpsPerCore: number;
  /** Assumed vCPUs available to one instance (none of the upstream manifests set a CPU limit). */
  cores: number;
}

export interface NodeRestartBehaviour {
  /**
   * "fallback-central": queries go to central CoreDNS (DNAT + conntrack) for the window; "fallback-remote": kube-proxy
   * sends them to another node's instance; "fail": DNS on the node fails (timeouts) for the window;
   * "not-applicable": the placement has no per-node component.
   */
  outcome: "fallback-central" | "fallback-remote" | "fail" | "not-applicable";
  /** Window length, seconds: min and max of what was measured or assumed. Loop: draw or pick within it. */
  windowS: { min: number; max: number };
  /** Fraction of the node's in-flight/window queries lost even with a fallback. */
  lossFraction: number;
  note: string;
}

export interface DnsPlacement {
  /** A built-in's name (PLACEMENT_NAMES), or a plugin's own. */
  readonly name: string;
  readonly summary: string;
  /** The docs/sources.md sections this description rests on, e.g. "docs/sources.md §6.3". */
  readonly sources: readonly string[];
  /** Where a pod's query goes first. Loop: route each node's lookups to this tier's instance(s) via `clientLink`. */
  readonly firstTier: TierName;
  /** Pod → first tier. */
  readonly clientLink: LinkSpec;
  /**
   * The first tier's cache, or null. Loop: apply hit ratios here before forwarding; central CoreDNS also caches
   * (`centralCache`).
   */
  readonly firstTierCache: Readonly<CacheConfig> | null;
  /** The first tier's cache for names outside the cluster domain (NodeLocal's `.:53` block), or null. */
  readonly firstTierExternalCache: Readonly<CacheConfig> | null;
  /**
   * Central CoreDNS's cache when central CoreDNS is on the path for some names, else null. Loop: apply its hit
   * ratios to what reaches central; only misses of external names go on to `externalUpstream` from there.
   */
  readonly centralCache: Readonly<CacheConfig> | null;
  /**
   * First tier → central CoreDNS for cluster-domain misses; null when the first tier answers cluster names itself.
   * Loop: carry the first tier's cluster misses to central replicas over this link (conntrack on the tier's node).
   */
  readonly clusterUpstream: LinkSpec | null;
  /**
   * How external names leave the cluster from the tier that resolves them (central CoreDNS, or the node/zone cache
   * when `externalBypassesCentral`). Loop: count these as queries to the upstream resolver from that tier's node.
   */
  readonly externalUpstream: LinkSpec;
  /**
   * External names skip central CoreDNS. Loop: when true, external lookups add no load to central replicas, and
   * per-VM resolver quotas (docs/sources.md §6.9) apply per node (or zone) instead of per CoreDNS pod.
   */
  readonly externalBypassesCentral: boolean;
  /** CoreDNS autopath: wrap the oracle with `withAutopath`; price server queries as `autopath*` in the query mix. */
  readonly autopath: boolean;
  /**
   * DaemonSet rollout: fraction of nodes restarting at once (maxUnavailable), or null. Loop: in a rollout scenario
   * restart this fraction of nodes per wave and apply `onNodeRestart` to each (docs/sources.md §1.4, derived: ~1,500
   * nodes at 15k falling back to central at once).
   */
  readonly rolloutMaxUnavailable: number | null;
  /**
   * Instances the placement runs in a cluster of this shape. Loop: capacity per instance = qpsPerCore × cores
   * (or coredns.ts `corednsCapacityQps` for CoreDNS); cost and API watches from the groups (see `apiWatchers`).
   */
  components(cluster: ClusterShape): ComponentGroup[];
  /**
   * What happens to a node's DNS while its node-level instance restarts. Loop: for `windowS`, reroute or fail that
   * node's queries per `outcome` and lose `lossFraction` of them.
   */
  onNodeRestart(mode: KubeProxyMode, cause?: "graceful" | "oom"): NodeRestartBehaviour;
}

/** Central replicas: given, or the autoscaler's linear defaults (docs/sources.md §5). */
export function centralReplicas(cluster: ClusterShape): number {
  return cluster.centralReplicas ?? linearReplicas(uniformCluster(cluster.nodes, cluster.coresPerNode));
}

/** Instances holding API watches and on which resources (docs/sources.md §2.6, §5: each CoreDNS replica watches). */
export function apiWatchers(
  placement: DnsPlacement,
  cluster: ClusterShape,
): { instances: number; watches: number; byResource: Record<WatchedResource, number> } {
  const byResource: Record<WatchedResource, number> = { services: 0, endpointslices: 0, pods: 0 };
  let instances = 0;
  let watches = 0;
  for (const g of placement.components(cluster)) {
    if (g.watches.length === 0) continue;
    instances += g.count;
    for (const r of g.watches) {
      byResource[r] += g.count;
      watches += g.count;
    }
  }
  return { instances, watches, byResource };
}

/** The placement's CPU requests and expected memory, summed over instances. */
export function placementCost(placement: DnsPlacement, cluster: ClusterShape): { instances: number; cpuRequestMillicores: number; memoryMB: number } {
  let instances = 0;
  let cpu = 0;
  let mem = 0;
  for (const g of placement.components(cluster)) {
    instances += g.count;
    cpu += g.count * g.cpuRequestMillicores;
    mem += g.count * g.memoryMB;
  }
  return { instances, cpuRequestMillicores: cpu, memoryMB: mem };
}

const TIERS: readonly TierName[] = ["node-cache", "zonal-cache", "node-coredns", "central"];

/**
 * A plugin module's default export as a placement, or an Error naming what is missing. A placement plugin is a plain
 * object of the DnsPlacement shape (typically a built-in spread with fields changed: see examples/placements/).
 */
export function placementFromExport(exported: unknown, where: string): DnsPlacement {
  if (typeof exported !== "object" || exported === null)
    throw new Error(
      `${where}: a DNS placement plugin must \`export default\` a placement object (its default export is ${exported === undefined ? "missing" : typeof exported})`,
    );
  const p = exported as Partial<Record<keyof DnsPlacement, unknown>>;
  const need = (ok: boolean, field: string, what: string): void => {
    if (!ok) throw new Error(`${where}: the placement's \`${field}\` must be ${what}`);
  };
  need(typeof p.name === "string" && p.name !== "", "name", "a non-empty string");
  need(TIERS.includes(p.firstTier as TierName), "firstTier", TIERS.join(", "));
  for (const f of ["clientLink", "externalUpstream"] as const)
    need(typeof p[f] === "object" && p[f] !== null, f, "a link ({ to, locality, dnat, conntracked, transport, raceExposed, dnatBackends })");
  for (const f of ["firstTierCache", "firstTierExternalCache", "centralCache", "clusterUpstream"] as const)
    need(p[f] === null || typeof p[f] === "object", f, "an object or null");
  need(typeof p.externalBypassesCentral === "boolean", "externalBypassesCentral", "a boolean");
  need(typeof p.autopath === "boolean", "autopath", "a boolean");
  need(p.rolloutMaxUnavailable === null || typeof p.rolloutMaxUnavailable === "number", "rolloutMaxUnavailable", "a fraction or null");
  need(typeof p.components === "function", "components", "a function (cluster) => ComponentGroup[]");
  need(typeof p.onNodeRestart === "function", "onNodeRestart", "a function (kubeProxyMode, cause) => NodeRestartBehaviour");
  const placement = exported as DnsPlacement;
  return { ...placement, summary: placement.summary ?? "a plugin", sources: placement.sources ?? [] };
}
