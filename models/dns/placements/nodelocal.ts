/**
 * NodeLocal DNSCache, the upstream recommendation (docs/sources.md §6.3, §1): a hostNetwork node-cache on every node
 * answers on 169.254.20.10 (and, in iptables mode, on the kube-dns ClusterIP) with NOTRACK rules, so pod → cache is
 * neither DNATed nor conntracked; cluster.local misses go to CoreDNS over TCP via kube-dns-upstream; external names go
 * straight from the node to its resolvers.
 */
import { COREDNS_CENTRAL_CACHE, NODELOCAL_CLUSTER_CACHE, NODELOCAL_EXTERNAL_CACHE } from "../coredns.js";
import type { DnsPlacement, NodeRestartBehaviour } from "../placement.js";
import {
  CACHE_TO_CENTRAL_TCP,
  FORWARDER_TO_UPSTREAM,
  NODE_CACHE_ROLLOUT_MAX_UNAVAILABLE,
  NODE_RESTART_FALLBACK_LOSS,
  NODE_RESTART_WINDOW_S,
  centralCoredns,
  nodeCaches,
} from "./common.js";

export const nodelocal: DnsPlacement = {
  name: "nodelocal",
  summary:
    "node-local-dns DaemonSet (hostNetwork, NOTRACK): pods reach the local cache without DNAT or conntrack; cluster misses go over pooled TCP to central CoreDNS; external names bypass CoreDNS.",
  sources: ["docs/sources.md §6.3", "docs/sources.md §1.1", "docs/sources.md §1.2", "docs/sources.md §1.3", "docs/sources.md §1.4"],
  firstTier: "node-cache",
  clientLink: { to: "node-cache", locality: "same-node", dnat: false, conntracked: false, transport: "udp", raceExposed: false, dnatBackends: "none" },
  firstTierCache: NODELOCAL_CLUSTER_CACHE,
  firstTierExternalCache: NODELOCAL_EXTERNAL_CACHE,
  centralCache: COREDNS_CENTRAL_CACHE,
  clusterUpstream: CACHE_TO_CENTRAL_TCP,
  externalUpstream: FORWARDER_TO_UPSTREAM,
  externalBypassesCentral: true,
  autopath: false, // autopath does not work behind NodeLocal (docs/sources.md §3.4, coredns/coredns#4308)
  rolloutMaxUnavailable: NODE_CACHE_ROLLOUT_MAX_UNAVAILABLE,
  components: (cluster) => [nodeCaches(cluster), centralCoredns(cluster, false)],
  onNodeRestart: (mode, cause = "graceful"): NodeRestartBehaviour => {
    if (mode === "ipvs") {
      return {
        outcome: "fail",
        windowS: NODE_RESTART_WINDOW_S,
        lossFraction: 1,
        note: "IPVS mode: pods use the link-local IP only; nothing answers until the new pod is up (docs/sources.md §1.1, §1.4)",
      };
    }
    if (cause === "oom") {
      return {
        outcome: "fail",
        windowS: NODE_RESTART_WINDOW_S,
        lossFraction: 1,
        note: "OOMKill leaves the NOTRACK rules in place: DNS blackholed until the pod restarts (docs/sources.md §1.3, kubernetes/dns#438)",
      };
    }
    return {
      outcome: "fallback-central",
      windowS: NODE_RESTART_WINDOW_S,
      lossFraction: NODE_RESTART_FALLBACK_LOSS,
      note: "iptables mode: teardown removes NOTRACK, queries to the kube-dns ClusterIP are DNATed to central CoreDNS (conntracked, race-exposed) until the new pod is up (docs/sources.md §1.4)",
    };
  },
};
