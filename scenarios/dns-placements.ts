import { defineScenario } from "../bench/scenario.js";

/**
 * Cluster DNS placements compared on 15,000 nodes (docs/sources.md §1–§6): central CoreDNS, with autopath,
 * NodeLocal DNSCache, a node-local pod behind PreferSameNode, zonal caches, and a full CoreDNS per node.
 *
 * Workload (identical for every placement): 30 pods per node each making 1 lookup per second (450k lookups/s, ~4x10^6
 * queries per simulated second once the search list expands them, docs/sources.md §3.3); a name mix of own-namespace
 * Services, other namespaces, FQDNs written without the trailing dot, external names and headless Services (the
 * defaults in the README, an assumption); glibc with one host search domain (AWS-like). At 10 min the node-level DNS
 * DaemonSet rolls (maxUnavailable 10%, each node's DNS down 10 s: docs/sources.md §1.4 measured 1-20 s); at 20 min 900
 * of the 938 central CoreDNS replicas (the autoscaler's count) are lost for 5 min: what is left serves ~1.3M queries/s.
 * kube-proxy in iptables mode (NodeLocal falls back to kube-dns on restart). A small, steady control-plane churn keeps
 * the DNS watches busy (a full CoreDNS per node watches too).
 */
export default defineScenario({
  name: "dns-placements",
  description: "DNS placements on 15k nodes: latency, failures, upstream load, conntrack, cost; NodeLocal rollout, CoreDNS loss",
  model: "network",
  seed: 1024,
  duration: "30m",
  cluster: { nodes: 15_000, zones: 3, coresPerNode: 16, podsPerNode: 30 },
  services: [
    { name: "small", count: 1000, replicas: 5 },
    { name: "medium", count: 200, replicas: 30 },
  ],
  kubeProxy: { cohortSize: 16 },
  // 450,000 pods and 15,000 Nodes are over etcd's default 2 GiB quota (NOSPACE within minutes): its suggested maximum
  etcd: { quotaBytes: "8GiB" },
  dns: { lookupsPerPodPerSecond: 1, sampleRate: 0.0001 },
  metrics: { interval: "30s" },
  workload: [
    { name: "churn", at: "0s", until: "30m", action: "churn", rate: 0.5 },
    { name: "dns-rollout", at: "10m", action: "dns-rollout", window: "10s" },
    { name: "coredns-loss", at: "20m", action: "coredns-loss", replicas: 900, duration: "5m" },
  ],
  variants: { "dns.placement": ["central", "central-autopath", "nodelocal", "nodelocal-prefer-same-node", "zonal", "coredns-daemonset"] },
  rank: [
    { metric: "dns.latency.p99_ms", better: "lower" },
    { metric: "dns.failures", better: "lower" },
    { metric: "dns.upstream_qps.max", better: "lower" },
    { metric: "conntrack.peak_entries.max_node", better: "lower" },
    { metric: "dns.memory_bytes", better: "lower" },
    { metric: "dns.cpu_cores", better: "lower" },
    { metric: "watch.bytes", better: "lower" },
  ],
  assumptions: [
    {
      name: "etcd quota",
      value: "8 GiB",
      why: "etcd's suggested maximum (and EKS's); the default 2 GiB holds fewer objects than 15,000 nodes' pods, Nodes and Leases",
    },
    { name: "lookups", value: "1 per pod per second", why: "ClusterLoader2's DNS test clients send 1 QPS (docs/sources.md §19); real pods vary widely" },
    { name: "DNS restart window", value: "10 s per node", why: "within the measured 1-20 s (docs/sources.md §1.4)" },
    { name: "kube-proxy cohorts", value: "16 nodes", why: "speed; bytes and counts exact, NPL within (15 x event bytes / bandwidth)" },
  ],
});
