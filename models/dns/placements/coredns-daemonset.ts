/**
 * A full CoreDNS on every node (docs/sources.md §6.6; OpenShift, Zalando): each instance answers cluster names from its
 * own API watch, so there is no central tier, but every node holds Service + EndpointSlice watches (the objection of
 * kubernetes/dns#594). Pods reach the local instance through the kube-dns ClusterIP with local preference (DNAT +
 * conntrack, one backend) unless a conntrack bypass is set up; external names are forwarded from each node.
 */
import { COREDNS_CENTRAL_CACHE, COREDNS_CPU_REQUEST_MILLICORES, COREDNS_MEMORY_REQUEST_MIB, COREDNS_QPS_PER_VCPU } from "../coredns.js";
import type { DnsPlacement } from "../placement.js";
import { FORWARDER_TO_UPSTREAM, NODE_LEVEL_DNS_CORES, NODE_RESTART_FALLBACK_LOSS, NODE_RESTART_WINDOW_S, corednsMemory } from "./common.js";

export const corednsDaemonset: DnsPlacement = {
  name: "coredns-daemonset",
  summary:
    "CoreDNS DaemonSet with local preference: pod → local CoreDNS is DNATed and conntracked (one backend); cluster names answered locally; external names forwarded from every node; one Service+EndpointSlice watch per node.",
  sources: ["docs/sources.md §6.6", "docs/sources.md §2", "docs/sources.md §6.5"],
  firstTier: "node-coredns",
  clientLink: { to: "node-coredns", locality: "same-node", dnat: true, conntracked: true, transport: "udp", raceExposed: true, dnatBackends: "one" },
  firstTierCache: COREDNS_CENTRAL_CACHE,
  firstTierExternalCache: COREDNS_CENTRAL_CACHE,
  centralCache: null,
  clusterUpstream: null,
  externalUpstream: FORWARDER_TO_UPSTREAM,
  externalBypassesCentral: true,
  autopath: false,
  // upstream CoreDNS manifests use maxUnavailable 1; OpenShift maxSurge 10 % (docs/sources.md §2.5, §1.4)
  rolloutMaxUnavailable: null,
  components: (cluster) => [
    {
      component: "coredns",
      tier: "node-coredns",
      role: "per node (DaemonSet)",
      count: cluster.nodes,
      watches: ["services", "endpointslices"],
      cpuRequestMillicores: COREDNS_CPU_REQUEST_MILLICORES,
      memoryRequestMiB: COREDNS_MEMORY_REQUEST_MIB,
      ...corednsMemory(cluster, false),
      qpsPerCore: COREDNS_QPS_PER_VCPU,
      cores: NODE_LEVEL_DNS_CORES,
    },
  ],
  onNodeRestart: () => ({
    outcome: "fallback-remote",
    windowS: NODE_RESTART_WINDOW_S,
    lossFraction: NODE_RESTART_FALLBACK_LOSS,
    note: "kube-proxy sends the node's queries to other nodes' CoreDNS until the local pod is ready; a surge rollout (OpenShift maxSurge, maxUnavailable 0) avoids the window (docs/sources.md §1.4)",
  }),
};
