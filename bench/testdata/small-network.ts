import { defineScenario } from "../scenario.js";

// A small cluster with every kind of workload step, for tests that run the network model end to end.
export default defineScenario({
  name: "small-network",
  model: "network",
  seed: 5,
  duration: "20m",
  cluster: { nodes: 60, zones: 3 },
  services: [
    { name: "big", replicas: 400 },
    { name: "small", count: 20, replicas: 5 },
    { name: "db", count: 2, replicas: 3, headless: true },
  ],
  apiserver: { replicas: 2 },
  workload: [
    { name: "churn", at: "10s", until: "20m", action: "churn", rate: 0.5 },
    { name: "rollout", at: "2m", action: "rolling-update", services: "big" },
    { name: "grow", at: "8m", action: "scale", services: "small", factor: 10 },
    { name: "shrink", at: "10m", action: "scale", services: "small", factor: 0.1 },
    { name: "outage", at: "12m", action: "zone-outage", zone: 1, duration: "6m" },
  ],
  variants: [{ "cluster.kubernetesVersion": ["1.18", "1.34"] }, { "controller.algorithm": "stable-hash" }],
});
