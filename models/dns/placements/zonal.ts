/**
 * Per-zone caches (docs/sources.md §6.7: no sourced numbers): caching forwarders (node-cache image, no API watch) per
 * zone behind a Service with `trafficDistribution: PreferSameZone`, forwarding cluster misses to central CoreDNS over
 * pooled TCP and external names to the upstream resolvers from the zone's cache nodes.
 */
import { COREDNS_CENTRAL_CACHE, NODELOCAL_CLUSTER_CACHE, NODELOCAL_EXTERNAL_CACHE } from "../coredns.js";
import type { ClusterShape, ComponentGroup, DnsPlacement } from "../placement.js";
import {
  CACHE_TO_CENTRAL_TCP,
  FORWARDER_TO_UPSTREAM,
  NOT_APPLICABLE_RESTART,
  ZONAL_CACHE_MIN_PER_ZONE,
  ZONAL_CACHE_NODES_PER_REPLICA,
  centralCoredns,
  nodeCaches,
} from "./common.js";

/** Zonal cache instances: per zone max(2, ceil(nodes in zone / 16)) (named assumptions in common.ts). */
export function zonalCacheCount(cluster: ClusterShape): number {
  const zones = Math.max(1, cluster.zones);
  const perZone = Math.max(ZONAL_CACHE_MIN_PER_ZONE, Math.ceil(cluster.nodes / zones / ZONAL_CACHE_NODES_PER_REPLICA));
  return zones * perZone;
}

function zonalCaches(cluster: ClusterShape): ComponentGroup {
  return { ...nodeCaches(cluster), component: "zonal-cache", tier: "zonal-cache", role: "per zone (Deployment per zone)", count: zonalCacheCount(cluster) };
}

export const zonal: DnsPlacement = {
  name: "zonal",
  summary:
    "Caching forwarders per zone behind a PreferSameZone Service: pod → zone cache is DNATed and conntracked (several backends); cluster misses go over pooled TCP to central CoreDNS; external names bypass CoreDNS from the zone caches. [U] unsourced sizing.",
  sources: ["docs/sources.md §6.7", "docs/sources.md §6.5", "docs/sources.md §1.2"],
  firstTier: "zonal-cache",
  clientLink: { to: "zonal-cache", locality: "same-zone", dnat: true, conntracked: true, transport: "udp", raceExposed: true, dnatBackends: "many" },
  firstTierCache: NODELOCAL_CLUSTER_CACHE,
  firstTierExternalCache: NODELOCAL_EXTERNAL_CACHE,
  centralCache: COREDNS_CENTRAL_CACHE,
  clusterUpstream: CACHE_TO_CENTRAL_TCP,
  externalUpstream: FORWARDER_TO_UPSTREAM,
  externalBypassesCentral: true,
  autopath: false,
  rolloutMaxUnavailable: null,
  components: (cluster) => [zonalCaches(cluster), centralCoredns(cluster, false)],
  onNodeRestart: () => NOT_APPLICABLE_RESTART,
};
