import { defineScenario } from "../bench/scenario.js";
import { headlineShape } from "./shapes/headline.js";

/**
 * The headline: one simulated hour of a 15,000-node cluster's network control plane and DNS, Kubernetes v1.34.
 *
 * Cluster: 15,000 nodes in 3 zones, 16 cores and 30 pods per node (ClusterLoader2's PODS_PER_NODE,
 * clusterloader2/testing/load/config.yaml), so 450,000 pods, every one an etcd key and a DNS client. Services shaped on
 * ClusterLoader2's load test (groups of 5, 30 and 250 backends, half the Deployments behind a Service, one headless
 * Service per StatefulSet) but kept under the 10,000-Service threshold (sig-scalability thresholds.md; CL2 scaled
 * naively to 15k nodes would make 24,300) and at half CL2's Service count: 3,000 x 5, 600 x 30, 75 x 250,
 * 75 headless x 5 and 75 headless x 30; plus very large Services: 4 x 2,000 and 1 x 20,000 (KEP-752's size). 82,375
 * pods back a Service; the other 367,625 are counted per node (etcd, node lifecycle, DNS).
 *
 * Workload (identical for every variant of a release: common random numbers), carried out by the cluster's own
 * controllers (Deployment, ReplicaSet, scheduler at 100 pods/s, kubelets, node lifecycle, taint eviction):
 * - 0-60 min: steady churn, 1 pod deleted per second among the 5/30/250 Services, replaced by its ReplicaSet;
 * - 10 min: scale-up of the 250-backend Services to 1.5x (CL2's "scale and update" resizes within [X/2, 3X/2]);
 *   20 min: scale-down back to 250;
 * - 30 min: Deployment rolling update of the 20,000-pod Service (maxSurge and maxUnavailable 25%);
 * - 45 min: zone 1 (5,000 nodes) partitioned for 4 minutes: the node lifecycle controller marks the zone's pods
 *   NotReady (after the 50 s grace period, one call each at the controller manager's QPS) and starts tainting at
 *   0.1 nodes/s (a fully disrupted zone); the zone returns before any eviction (300 s toleration);
 * - every kubelet renews its Lease every 10 s and reports Node status every 5 min; Events of every pod start and
 *   stop live 1 h;
 * - DNS: every pod 1 lookup per second (CL2's DNS probes), glibc with 1 host search domain, the default name mix;
 *   at 52 min the node-level DNS DaemonSet rolls (placements that have one).
 *
 * Variants: earlier releases (v1.18: kube-proxy reads Endpoints, no truncation; v1.21: kube-proxy reads
 * EndpointSlices, Endpoints untruncated for the other consumers) against v1.34 with every packing algorithm at the
 * default maxEndpointsPerSlice 100 and upstream's at 500; and every DNS placement (with the k8s algorithm at 100).
 *
 * Assumptions (no source pins them): listed below and in every report. Fidelity/speed trade-offs: kube-proxies
 * simulated in cohorts of 150 same-zone nodes (bytes and counts exact; a cohort's nodes share one arrival time, NPL
 * off by at most 149 x event bytes / egress bandwidth, under 1 ms); 1 in 100,000 DNS lookups traced end to end.
 */
export default defineScenario({
  name: "15k-nodes",
  description: "15k nodes, 1 h: churn, scale, rolling update, zone partition, DNS; releases vs EndpointSlice algorithms vs DNS placements",
  ...headlineShape({ nodes: 15_000, cohortSize: 150, dnsSampleRate: 0.00001 }),
  seed: 15_000,
});
