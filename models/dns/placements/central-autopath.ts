/**
 * Central CoreDNS with autopath (docs/sources.md §6.2, §3.4): server-side search collapses a search-expanded lookup to
 * one query per qtype when it ends positive; needs `pods verified` (a Pod watch per replica, ~4× memory per object).
 */
import { COREDNS_CENTRAL_CACHE } from "../coredns.js";
import type { DnsPlacement } from "../placement.js";
import { FORWARDER_TO_UPSTREAM, NOT_APPLICABLE_RESTART, POD_TO_CENTRAL_UDP, centralCoredns } from "./common.js";

export const centralAutopath: DnsPlacement = {
  name: "central-autopath",
  summary:
    "Central CoreDNS with autopath: pod queries via the kube-dns ClusterIP (DNAT, conntrack); CoreDNS walks the search path itself, so positive lookups cost one query per qtype; every replica also watches Pods.",
  sources: ["docs/sources.md §6.2", "docs/sources.md §3.4", "docs/sources.md §2"],
  firstTier: "central",
  clientLink: POD_TO_CENTRAL_UDP,
  firstTierCache: COREDNS_CENTRAL_CACHE,
  firstTierExternalCache: COREDNS_CENTRAL_CACHE,
  centralCache: COREDNS_CENTRAL_CACHE,
  clusterUpstream: null,
  externalUpstream: FORWARDER_TO_UPSTREAM,
  externalBypassesCentral: false,
  autopath: true,
  rolloutMaxUnavailable: null,
  components: (cluster) => [centralCoredns(cluster, true)],
  onNodeRestart: () => NOT_APPLICABLE_RESTART,
};
