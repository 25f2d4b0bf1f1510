/**
 * Per-node DNS caches behind the kube-dns Service with `trafficDistribution: PreferSameNode` (docs/sources.md §6.5,
 * KEP-3015's DNS user story): our reading is node-cache running as an ordinary DaemonSet pod (no NOTRACK, no link-local
 * IP) as the Service's endpoints, forwarding cluster misses to a central CoreDNS like NodeLocal does. The pod → cache
 * flow is still DNATed and conntracked, but to the single local endpoint, so race 3 cannot occur; kube-proxy falls back
 * to remote endpoints when the local one is gone.
 */
import { COREDNS_CENTRAL_CACHE, NODELOCAL_CLUSTER_CACHE, NODELOCAL_EXTERNAL_CACHE } from "../coredns.js";
import type { DnsPlacement } from "../placement.js";
import {
  CACHE_TO_CENTRAL_TCP,
  FORWARDER_TO_UPSTREAM,
  NODE_CACHE_ROLLOUT_MAX_UNAVAILABLE,
  NODE_RESTART_FALLBACK_LOSS,
  NODE_RESTART_WINDOW_S,
  centralCoredns,
  nodeCaches,
} from "./common.js";

export const nodelocalPreferSameNode: DnsPlacement = {
  name: "nodelocal-prefer-same-node",
  summary:
    "node-cache DaemonSet as the kube-dns endpoints with trafficDistribution PreferSameNode: pod → local cache is DNATed and conntracked (one backend, no race 3); cluster misses go over pooled TCP to central CoreDNS; external names bypass CoreDNS; automatic fallback to remote caches.",
  sources: ["docs/sources.md §6.5", "docs/sources.md §6.3", "docs/sources.md §1.2", "docs/sources.md §4.6"],
  firstTier: "node-cache",
  clientLink: { to: "node-cache", locality: "same-node", dnat: true, conntracked: true, transport: "udp", raceExposed: true, dnatBackends: "one" },
  firstTierCache: NODELOCAL_CLUSTER_CACHE,
  firstTierExternalCache: NODELOCAL_EXTERNAL_CACHE,
  centralCache: COREDNS_CENTRAL_CACHE,
  clusterUpstream: CACHE_TO_CENTRAL_TCP,
  externalUpstream: FORWARDER_TO_UPSTREAM,
  externalBypassesCentral: true,
  autopath: false,
  rolloutMaxUnavailable: NODE_CACHE_ROLLOUT_MAX_UNAVAILABLE,
  components: (cluster) => [nodeCaches(cluster), centralCoredns(cluster, false)],
  onNodeRestart: () => ({
    outcome: "fallback-remote",
    windowS: NODE_RESTART_WINDOW_S,
    lossFraction: NODE_RESTART_FALLBACK_LOSS,
    note: "kube-proxy sends the node's queries to another node's cache (DNAT + conntrack, several backends: race 3 possible) until the local endpoint is ready again (docs/sources.md §6.5)",
  }),
};
