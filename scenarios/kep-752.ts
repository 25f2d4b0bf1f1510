import { defineScenario } from "../bench/scenario.js";

/**
 * KEP-752's estimation, replayed (kubernetes/enhancements keps/sig-network/0752-endpointslices, "Estimation", Sample
 * Case 1: 20,000 endpoints, 5,000 nodes): one Service with 20,000 endpoints on 5,000 nodes is created, one endpoint
 * changes, then every pod is replaced.
 *
 * Eras: v1.18 (kube-proxy reads Endpoints, not truncated) against v1.19 (kube-proxy reads EndpointSlices). Both
 * controllers run in both; only what kube-proxy reads is fanned out to the 5,000 nodes.
 * Two size models run side by side:
 * - `kep-752`: the KEP's own arithmetic, every endpoint ~100 B and nothing else ("20k * const = ~2.0 MB",
 *   "100 * const = ~10 KB"). Its table assumes the 2.0 MB Endpoints object is stored and streamed, which etcd's
 *   default 1.5 MiB request limit forbids, so these variants raise the limit to 3 MiB.
 * - `protobuf`: real objects, as the apiserver writes them (metadata, managedFields, envelope), with the defaults:
 *   the 20,000-address Endpoints object (~3.3 MB) is over the apiserver's 3 MiB request body limit on every write.
 *
 * Watchers: the 5,000 kube-proxies (the KEP counts 5,000 watchers), the EndpointSlice controller's own informer;
 * no DNS servers, no other Endpoints consumers.
 * The rolling update follows the KEP's model: a pod replaced in place is one endpoint change, one every 3 s, so each
 * is its own sync and write (the KEP counts 20k writes) and even the 2 MB Endpoints object (2.7 s to send to a third
 * of the nodes over one apiserver's 10 Gbit/s) never backs up a watch.
 */
export default defineScenario({
  name: "kep-752",
  description: "KEP-752 estimation table: 20,000 endpoints, 5,000 nodes, Endpoints vs EndpointSlices",
  model: "network",
  seed: 752,
  duration: "60700s",
  cluster: { nodes: 5000, zones: 3, endpointsConsumers: 0 },
  services: [{ name: "big", replicas: 20_000, initially: "absent" }],
  dns: { servers: 0 },
  kubeProxy: { cohortSize: 16 },
  metrics: { interval: "300s" },
  workload: [
    { name: "service-create", at: "10s", action: "create-service", services: "big" },
    { name: "single-change", at: "300s", action: "endpoint-change", services: "big" },
    // the KEP's rolling update: 20,000 single endpoint changes, one every 3 s (one write each, as the KEP counts them;
    // a real replacement is 4 or 5 endpoint changes: see models/network/pod-lifecycle.test.ts)
    { name: "rolling-update", at: "600s", action: "endpoint-change", services: "big", count: 20_000, interval: "3s" },
  ],
  variants: [
    { "objects.sizeModel": "kep-752", "etcd.maxRequestBytes": "3MiB", "cluster.kubernetesVersion": ["1.18", "1.19"] },
    { "objects.sizeModel": "protobuf", "cluster.kubernetesVersion": ["1.18", "1.19"] },
  ],
  assumptions: [
    {
      name: "etcd.maxRequestBytes (kep-752 variants)",
      value: "3MiB",
      why: "KEP-752's table assumes the 2.0 MB Endpoints object is stored; etcd's default 1.5 MiB would reject it",
    },
    { name: "rolling-update interval", value: "3s", why: "one replacement per sync, as the KEP counts 20k writes; slow enough that no watch backs up" },
    { name: "kube-proxy cohorts", value: "16 nodes", why: "speed; bytes and event counts exact, NPL within 15 x event bytes / bandwidth" },
  ],
});
