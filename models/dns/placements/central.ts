/** Central CoreDNS only: the default (docs/sources.md §6.1). */
import { COREDNS_CENTRAL_CACHE } from "../coredns.js";
import type { DnsPlacement } from "../placement.js";
import { FORWARDER_TO_UPSTREAM, NOT_APPLICABLE_RESTART, POD_TO_CENTRAL_UDP, centralCoredns } from "./common.js";

export const central: DnsPlacement = {
  name: "central",
  summary:
    "All pod queries go via the kube-dns ClusterIP (DNAT, conntrack on client and server nodes) to a CoreDNS Deployment scaled by the autoscaler; CoreDNS forwards external names upstream.",
  sources: ["docs/sources.md §6.1", "docs/sources.md §2", "docs/sources.md §3.3", "docs/sources.md §4.3", "docs/sources.md §4.6", "docs/sources.md §5"],
  firstTier: "central",
  clientLink: POD_TO_CENTRAL_UDP,
  firstTierCache: COREDNS_CENTRAL_CACHE,
  firstTierExternalCache: COREDNS_CENTRAL_CACHE,
  centralCache: COREDNS_CENTRAL_CACHE,
  clusterUpstream: null,
  externalUpstream: FORWARDER_TO_UPSTREAM,
  externalBypassesCentral: false,
  autopath: false,
  rolloutMaxUnavailable: null,
  components: (cluster) => [centralCoredns(cluster, false)],
  onNodeRestart: () => NOT_APPLICABLE_RESTART,
};
