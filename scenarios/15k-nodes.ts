import { defineScenario } from "../bench/scenario.js";
import { headlineShape } from "./shapes/headline.js";

/**
 * The headline: one simulated hour of a 15,000-node cluster's network control plane and DNS.
 *
 * Cluster: 15,000 nodes in 3 zones, 16 cores and 30 pods per node (ClusterLoader2's PODS_PER_NODE; facts scale.md §6),
 * so 450,000 pods make DNS lookups. Services shaped on ClusterLoader2's load test (groups of 5, 30 and 250 backends,
 * half the Deployments behind a Service, one headless Service per StatefulSet) but kept under the 10,000-Service
 * threshold (facts scale.md §2.1; CL2 scaled naively to 15k nodes would make 24,300) and at half CL2's Service
 * count so the whole run fits in a minute: 3,000 x 5, 600 x 30, 75 x 250, 75 headless x 5 and 75 headless x 30;
 * plus very large Services: 4 x 2,000 and 1 x 20,000 (KEP-752's size). 82,375 pods back a Service; the other pods
 * only make DNS lookups (they are not simulated as objects).
 *
 * Workload (identical for every variant: common random numbers):
 * - 0-60 min: steady churn, 1 pod replacement per second among the 5/30/250 Services;
 * - 10 min: scale-up of the 250-backend Services to 1.5x (CL2's "scale and update" resizes within [X/2, 3X/2]);
 *   20 min: scale-down back to 250;
 * - 30 min: Deployment rolling update of the 20,000-pod Service (maxSurge and maxUnavailable 25%);
 * - 45 min: zone 1 (5,000 nodes) partitioned for 4 minutes: its pods go NotReady after the 40 s node-monitor grace
 *   period and come back Ready; no eviction (it would start at 5 min);
 * - DNS: every pod 1 lookup per second (CL2's DNS probes), glibc with 1 host search domain, the default name mix;
 *   at 52 min the node-level DNS DaemonSet rolls (placements that have one).
 *
 * Variants: the Endpoints controller (legacy: no cap, the 20,000-endpoint object exceeds etcd's request limit;
 * truncating: 1,000 addresses) vs the EndpointSlice controller with every packing algorithm x maxEndpointsPerSlice
 * {100, 500}; and every DNS placement (with the k8s algorithm at 100; `central` is then the k8s/100 run itself).
 *
 * Assumptions (no source pins them): listed below and in every report. Fidelity/speed trade-offs: kube-proxies
 * simulated in cohorts of 50 same-zone nodes (bytes and counts exact; a cohort's nodes share one arrival time, NPL
 * off by at most 49 x event bytes / egress bandwidth); 1 in 100,000 DNS lookups traced end to end.
 */
export default defineScenario({
  name: "15k-nodes",
  description: "15k nodes, 1 h: churn, scale, rolling update, zone partition, DNS; Endpoints vs EndpointSlice algorithms vs DNS placements",
  ...headlineShape({ nodes: 15_000, cohortSize: 50, dnsSampleRate: 0.00001 }),
  seed: 15_000,
});
