import { defineScenario } from "../scenario.js";

// A small cluster with DNS traffic and DNS faults, every placement, for tests.
export default defineScenario({
  name: "small-dns",
  model: "network",
  seed: 3,
  duration: "10m",
  cluster: { nodes: 200, zones: 2 },
  services: [{ name: "web", count: 20, replicas: 10 }],
  dns: { lookupsPerPodPerSecond: 1, sampleRate: 0.01 },
  workload: [
    { name: "rollout", at: "2m", action: "dns-rollout", window: "10s" },
    { name: "coredns-loss", at: "6m", action: "coredns-loss", replicas: 10, duration: "1m" },
  ],
  variants: { "dns.placement": ["central", "central-autopath", "nodelocal", "nodelocal-prefer-same-node", "zonal", "coredns-daemonset"] },
});
