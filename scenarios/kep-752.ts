import { defineScenario } from "../bench/scenario.js";

/**
 * KEP-752's estimation, replayed (facts scale.md §1.3, "Sample Case 1: 20,000 endpoints, 5,000 nodes"):
 * one Service with 20,000 endpoints on 5,000 nodes is created, one endpoint changes, then every pod is replaced.
 *
 * Two size models run side by side:
 * - `kep-752`: the KEP's own arithmetic, every endpoint ~100 B and nothing else ("20k * const = ~2.0 MB",
 *   "100 * const = ~10 KB"). Its table assumes the 2.0 MB Endpoints object is stored and streamed, which etcd's
 *   default 1.5 MiB request limit forbids, so these variants raise the limit to 3 MiB.
 * - `protobuf`: real objects, as the apiserver writes them (metadata, managedFields, envelope), with etcd's default
 *   limit: the 20,000-address Endpoints object (~3.4 MB) is rejected on every write.
 *
 * Watchers: the 5,000 kube-proxies only (the KEP counts 5,000 watchers); no DNS servers.
 * The rolling update follows the KEP's model: pods are replaced in place, one at a time, one every 3 s, so each
 * replacement is its own sync and write (the KEP counts 20k writes) and even the 2 MB Endpoints object (2.7 s to send
 * to a third of the nodes over one apiserver's 10 Gbit/s) never backs up a watch.
 */
export default defineScenario({
  name: "kep-752",
  description: "KEP-752 estimation table: 20,000 endpoints, 5,000 nodes, Endpoints vs EndpointSlices",
  model: "network",
  seed: 752,
  duration: "60700s",
  cluster: { nodes: 5000, zones: 3 },
  services: [{ name: "big", replicas: 20_000, initially: "absent" }],
  dns: { servers: 0 },
  metrics: { interval: "300s" },
  workload: [
    { name: "service-create", at: "10s", action: "create-service", services: "big" },
    { name: "single-change", at: "300s", action: "endpoint-change", services: "big" },
    { name: "rolling-update", at: "600s", action: "rolling-update", services: "big", style: "one-at-a-time", interval: "3s" },
  ],
  variants: [
    { "objects.sizeModel": "kep-752", "etcd.maxRequestBytes": "3MiB", "controller.mode": "endpoints", "controller.endpointsMode": "legacy" },
    { "objects.sizeModel": "kep-752", "etcd.maxRequestBytes": "3MiB", "controller.mode": "endpointslice" },
    { "objects.sizeModel": "protobuf", "controller.mode": "endpoints", "controller.endpointsMode": "legacy" },
    { "objects.sizeModel": "protobuf", "controller.mode": "endpointslice" },
  ],
  assumptions: [
    { name: "etcd.maxRequestBytes (kep-752 variants)", value: "3MiB", why: "KEP-752's table assumes the 2.0 MB Endpoints object is stored; etcd's default 1.5 MiB would reject it" },
    { name: "rolling-update interval", value: "3s", why: "one replacement per sync, as the KEP counts 20k writes; slow enough that no watch backs up" },
  ],
});
