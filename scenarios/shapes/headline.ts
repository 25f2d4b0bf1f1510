import type { ScenarioInput } from "../../bench/scenario.js";

type NetworkInput = Extract<ScenarioInput, { model: "network" }>;

export interface HeadlineSize {
  nodes: number;
  /** Nodes per simulated kube-proxy (1 is exact). */
  cohortSize: number;
  /** Fraction of DNS lookups traced end to end. */
  dnsSampleRate: number;
}

const PLACEMENTS = ["central", "central-autopath", "nodelocal", "nodelocal-prefer-same-node", "zonal", "coredns-daemonset"];
const ALGORITHMS = ["k8s", "compact", "rebalance", "stable-hash", "zone-affine"];
/** What the release and packing families are ranked on (better: the metric catalog's direction). */
const CONTROL_PLANE_RANK = [
  { metric: "npl.p99_s" },
  { metric: "watch.bytes" },
  { metric: "etcd.write_bytes" },
  { metric: "apiserver.egress_backlog.max_s" },
  { metric: "endpointslice.count" },
];

/**
 * The workload of scenarios/15k-nodes.ts (documented there), at any cluster size: Service counts scale with the
 * nodes (at least 1 per group) and the very large Services' sizes with them, so pods per node stay the same.
 */
export function headlineShape(size: HeadlineSize): Omit<NetworkInput, "name"> {
  const scale = size.nodes / 15_000;
  const count = (n: number): number => Math.max(1, Math.round(n * scale));
  const big = (n: number): number => Math.max(1, Math.round(n * Math.min(1, scale)));
  return {
    model: "network",
    duration: "1h",
    cluster: { nodes: size.nodes, zones: 3, coresPerNode: 16, podsPerNode: 30 },
    services: [
      { name: "small", count: count(3000), replicas: 5 },
      { name: "medium", count: count(600), replicas: 30 },
      { name: "big", count: count(75), replicas: 250 },
      { name: "small-sts", count: count(75), replicas: 5, headless: true },
      { name: "medium-sts", count: count(75), replicas: 30, headless: true },
      { name: "large", count: 4, replicas: big(2000) },
      { name: "huge", count: 1, replicas: big(20_000) },
    ],
    // a control plane sized for the cluster: 5 apiservers at 25 Gbit/s (assumption, below)
    apiserver: { replicas: 5, egressBandwidth: "25Gbit/s" },
    // 450,000 pods and 15,000 Nodes do not fit etcd's default 2 GiB quota (NOSPACE within minutes): 8 GiB, the
    // largest etcd recommends (and EKS's limit)
    etcd: { quotaBytes: "8GiB" },
    controllerManager: { qps: 100, burst: 100 },
    kubeProxy: { cohortSize: size.cohortSize },
    dns: { lookupsPerPodPerSecond: 1, sampleRate: size.dnsSampleRate, step: "5s" },
    metrics: { interval: "1m" },
    workload: [
      { name: "churn", at: "0s", until: "1h", action: "churn", services: "small,medium,big", rate: 1 },
      { name: "scale-up", at: "10m", action: "scale", services: "big", factor: 1.5 },
      { name: "scale-down", at: "20m", action: "scale", services: "big", replicas: 250 },
      { name: "rollout", at: "30m", action: "rolling-update", services: "huge" },
      { name: "partition", at: "45m", action: "zone-outage", zone: 1, duration: "4m" },
      { name: "dns-rollout", at: "52m", action: "dns-rollout", window: "10s" },
    ],
    // three families, each ranked on its own against the upstream default (v1.34, k8s at 100 per slice, central CoreDNS)
    variants: [
      {
        family: "release",
        reference: { "cluster.kubernetesVersion": "1.34" },
        matrix: { "cluster.kubernetesVersion": ["1.18", "1.21", "1.34"] },
        rank: CONTROL_PLANE_RANK,
      },
      {
        family: "packing",
        reference: { "controller.algorithm": "k8s", "controller.maxEndpointsPerSlice": 100 },
        // every algorithm at the default MAX; what raising MAX costs, with upstream's algorithm (the whole algorithm x
        // MAX matrix is scenarios/packing.ts)
        matrix: [
          { "controller.algorithm": ALGORITHMS, "controller.maxEndpointsPerSlice": 100 },
          { "controller.algorithm": "k8s", "controller.maxEndpointsPerSlice": 500 },
        ],
        rank: CONTROL_PLANE_RANK,
      },
      {
        family: "dns-placement",
        reference: { "dns.placement": "central" },
        matrix: { "dns.placement": PLACEMENTS },
        rank: [
          { metric: "dns.latency.p99_ms" },
          { metric: "dns.failures" },
          { metric: "dns.cpu_cores" },
          { metric: "dns.memory_bytes" },
          { metric: "conntrack.peak_entries.max_node" },
          // a placement whose servers watch the API adds to the control plane's fan-out
          { metric: "watch.bytes" },
          { metric: "npl.p99_s" },
        ],
      },
    ],
    uncertain: [
      {
        parameter: "apiserver.egressBandwidth",
        low: "10Gbit/s",
        high: "100Gbit/s",
        why: "what 5 apiservers can send: 10 to 100 Gbit/s NICs on common control-plane instance types; no published figure for a 15k-node cluster",
      },
      {
        parameter: "controllerManager.qps",
        low: 20,
        high: 400,
        why: "kube-controller-manager's --kube-api-qps: upstream's default 20, raised by operators of large clusters; no published value at 15k nodes",
      },
      {
        parameter: "kubeProxy.costScale",
        low: 0.5,
        high: 2,
        why: "kube-proxy's sync cost was measured on one 2-core CI VM (bench/profiles/kube-proxy-default.json); nodes run 2x faster or slower",
      },
      {
        parameter: "dns.corednsMemoryLimit",
        low: "128Mi",
        high: "512Mi",
        why: "CoreDNS's memory limit: 170Mi in the kubeadm manifest, raised by operators of large clusters; decides when its cache of the API OOMs",
      },
    ],
    rank: CONTROL_PLANE_RANK,
    gate: [
      // series points and distribution rows follow from the scalars gated below; a change there shows up here too
      { metric: "*@*", rule: "ignore" },
      { metric: "watch.*", better: "lower" },
      { metric: "etcd.*", better: "lower" },
      { metric: "apiserver.egress_backlog*", better: "lower" },
      { metric: "npl.p*", better: "lower" },
      { metric: "npl.max_s", better: "lower" },
      { metric: "npl.slo_met", better: "higher" },
      { metric: "controller.*", better: "lower" },
      { metric: "endpointslice_controller.changes.*", better: "lower" },
      { metric: "endpointslice_controller.syncs.error", better: "lower" },
      { metric: "kubeproxy.*", better: "lower" },
      { metric: "endpointslice.count", better: "lower" },
      { metric: "endpointslice.fill.mean", better: "higher" },
      { metric: "dns.latency.*", better: "lower" },
      { metric: "dns.failures", better: "lower" },
      { metric: "dns.race_timeouts", better: "lower" },
      { metric: "dns.cpu_cores", better: "lower" },
      { metric: "dns.memory_bytes", better: "lower" },
      { metric: "conntrack.*", better: "lower" },
    ],
    assumptions: [
      {
        name: "pods behind Services",
        value: "82,375 of 450,000",
        why: "CL2 puts half its Deployments behind a Service; we keep half of that (the run must fit in a minute); the others are counted per node",
      },
      { name: "apiservers", value: "5 x 25 Gbit/s", why: "a control plane sized for 15k nodes; no published figure" },
      {
        name: "controller manager client",
        value: "100 QPS, burst 100",
        why: "scale clusters raise kube-controller-manager's --kube-api-qps above the default 20",
      },
      {
        name: "etcd quota",
        value: "8 GiB",
        why: "etcd's suggested maximum (and EKS's); 450,000 pods, 15,000 Nodes and their Leases are over the default 2 GiB",
      },
      { name: "pod startup / termination", value: "5 s / 20 s p99; 2 s / 10 s p99", why: "typical small images; no published distribution" },
      { name: "zone partition", value: "4 min", why: "shorter than the 300 s eviction toleration, so pods return instead of being replaced" },
      { name: "kube-proxy cohorts", value: `${size.cohortSize} nodes`, why: "speed; bytes and counts exact, NPL within (cohort-1) x event bytes / bandwidth" },
      { name: "DNS lookups", value: "1 per pod per second, 5 s steps", why: "ClusterLoader2's DNS probes send 1 QPS; real pods vary widely" },
    ],
  };
}
