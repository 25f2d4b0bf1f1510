/**
 * Building blocks shared by the placement descriptions: per-instance figures of CoreDNS and node-cache, the
 * links they use, and the restart behaviours. Numbers cite docs/sources.md; the rest are named assumptions.
 */
import {
  COREDNS_CPU_REQUEST_MILLICORES,
  COREDNS_MEMORY_LIMIT_MIB,
  COREDNS_MEMORY_REQUEST_MIB,
  COREDNS_QPS_PER_VCPU,
  COREDNS_REFERENCE_VCPUS,
  corednsMemoryMB,
} from "../coredns.js";
import type { ClusterShape, ComponentGroup, LinkSpec, NodeRestartBehaviour } from "../placement.js";
import { centralReplicas } from "../placement.js";

/** node-cache requests 25m CPU / 5Mi memory, no limits (docs/sources.md §1.3). */
export const NODE_CACHE_CPU_REQUEST_MILLICORES = 25;
export const NODE_CACHE_MEMORY_REQUEST_MIB = 5;
/** ~20 Mi peak in the KEP tests; 1 GiB seen under network trouble (docs/sources.md §1.3). */
export const NODE_CACHE_TYPICAL_MEMORY_MB = 20;
export const NODE_CACHE_WORST_MEMORY_MB = 1024;
/** ≈ 830 QPS at a 50m limit without cache hits → ~16.6k QPS per core (derived: 830 / 0.05; docs/sources.md §1.5). */
export const NODE_CACHE_QPS_PER_CORE = 830 / 0.05;
/** NodeLocal DaemonSet rolling update `maxUnavailable: 10%` (docs/sources.md §1.3). */
export const NODE_CACHE_ROLLOUT_MAX_UNAVAILABLE = 0.1;

/**
 * Named assumption: vCPUs one node-level DNS instance (node-cache or a per-node CoreDNS) can use. Manifests set no
 * CPU limit; one core of a shared node is a plausible ceiling for a daemon next to the workload.
 */
export const NODE_LEVEL_DNS_CORES = 1;
/**
 * Named assumption: central CoreDNS replicas get the 2 vCPU of the published calibration (docs/sources.md §2.2); the
 * default Deployment requests only 100m and sets no CPU limit.
 */
export const CENTRAL_COREDNS_CORES = COREDNS_REFERENCE_VCPUS;
/**
 * Named assumption: per-zone caches are sized like the DNS autoscaler's node term (16 nodes per replica,
 * docs/sources.md §5) with at least 2 per zone; no sourced sizing exists for zonal caches (docs/sources.md §6.7).
 */
export const ZONAL_CACHE_NODES_PER_REPLICA = 16;
export const ZONAL_CACHE_MIN_PER_ZONE = 2;

/**
 * Per-node restart window: measured DNS downtime per node restart ranges ~1–20 s (docs/sources.md §1.4: kubespray
 * "<1–2 s", kops 5–10 s, kubernetes/dns#310 ~20 s).
 */
export const NODE_RESTART_WINDOW_S = { min: 1, max: 20 } as const;
/**
 * Queries lost when the local pod is killed with a working fallback: ~0.01–0.02 % at 67k QPS (docs/sources.md §1.4,
 * kubernetes/dns#617).
 */
export const NODE_RESTART_FALLBACK_LOSS = 0.0002;

/** A CoreDNS instance's memory and limit: what its kubernetes plugin caches (Pods only with `pods verified`). */
export function corednsMemory(cluster: ClusterShape, podsVerified: boolean): Pick<ComponentGroup, "memoryMB" | "memoryLimitMiB"> {
  return {
    memoryMB: corednsMemoryMB({ services: cluster.services, endpoints: cluster.endpoints, pods: cluster.pods }, { podsVerified }),
    memoryLimitMiB: cluster.corednsMemoryLimitMiB ?? COREDNS_MEMORY_LIMIT_MIB,
  };
}

export function centralCoredns(cluster: ClusterShape, autopath: boolean): ComponentGroup {
  return {
    component: "coredns",
    tier: "central",
    role: "central Deployment",
    count: centralReplicas(cluster),
    watches: autopath ? ["services", "endpointslices", "pods"] : ["services", "endpointslices"],
    cpuRequestMillicores: COREDNS_CPU_REQUEST_MILLICORES,
    memoryRequestMiB: COREDNS_MEMORY_REQUEST_MIB,
    ...corednsMemory(cluster, autopath),
    qpsPerCore: COREDNS_QPS_PER_VCPU,
    cores: cluster.corednsCores ?? CENTRAL_COREDNS_CORES,
  };
}

export function nodeCaches(cluster: ClusterShape): ComponentGroup {
  return {
    component: "node-local-dns",
    tier: "node-cache",
    role: "per node (DaemonSet)",
    count: cluster.nodes,
    watches: [],
    cpuRequestMillicores: NODE_CACHE_CPU_REQUEST_MILLICORES,
    memoryRequestMiB: NODE_CACHE_MEMORY_REQUEST_MIB,
    memoryMB: NODE_CACHE_TYPICAL_MEMORY_MB,
    // node-local-dns sets no limit and caches only answers (no API watch: cmd/node-cache reads the upstream
    // Service's address from its environment)
    memoryLimitMiB: null,
    qpsPerCore: NODE_CACHE_QPS_PER_CORE,
    cores: NODE_LEVEL_DNS_CORES,
  };
}

/** Pod → central CoreDNS through the kube-dns ClusterIP: DNAT, conntrack, UDP, race-exposed. docs/sources.md §6.1 */
export const POD_TO_CENTRAL_UDP: LinkSpec = {
  to: "central",
  locality: "any-node",
  dnat: true,
  conntracked: true,
  transport: "udp",
  raceExposed: true,
  dnatBackends: "many",
};

/**
 * node-cache → central through kube-dns-upstream: DNAT, conntracked, TCP with reuse (force_tcp, docs/sources.md §1.2).
 */
export const CACHE_TO_CENTRAL_TCP: LinkSpec = {
  to: "central",
  locality: "any-node",
  dnat: true,
  conntracked: true,
  transport: "tcp-reuse",
  raceExposed: false,
  dnatBackends: "many",
};

/**
 * A forwarder (CoreDNS or node-cache `forward`) → the resolver outside the cluster (VPC/metadata resolver from the
 * node's /etc/resolv.conf): pooled UDP sockets, no DNAT; the sender's node tracks the flows (docs/sources.md §1.2,
 * §6.9).
 */
export const FORWARDER_TO_UPSTREAM: LinkSpec = {
  to: "upstream-resolver",
  locality: "outside-cluster",
  dnat: false,
  conntracked: true,
  transport: "udp-reuse",
  raceExposed: false,
  dnatBackends: "none",
};

export const NOT_APPLICABLE_RESTART: NodeRestartBehaviour = {
  outcome: "not-applicable",
  windowS: { min: 0, max: 0 },
  lossFraction: 0,
  note: "no per-node DNS component; a CoreDNS pod restart removes one endpoint and loses its in-flight queries",
};
