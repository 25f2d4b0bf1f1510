import { defineScenario } from "../bench/scenario.js";
import { headlineShape } from "./shapes/headline.js";

/**
 * The headline's shape (scenarios/15k-nodes.ts, every variant) at 500 nodes: Service counts and the very large
 * Services' sizes scaled by 500/15,000, kube-proxies exact (one per node), 1 in 10,000 DNS lookups traced. Fast enough
 * to run on every commit; `bench gate` compares it with bench/baselines/ci-smoke.json.
 */
export default defineScenario({
  name: "ci-smoke",
  description: "the 15k-nodes workload and variants at 500 nodes, for CI gating",
  ...headlineShape({ nodes: 500, cohortSize: 1, dnsSampleRate: 0.0001 }),
  seed: 500,
});
