import { defineScenario } from "../bench/scenario.js";

/**
 * PHOLD, the classic discrete-event benchmark (Fujimoto 1990), run through the same CLI path as every scenario:
 * 1000 logical processes x 10 initial events, 3,000,000 events, exponential delays of mean 1 s.
 * The `remoteFraction=1` variant is the workload of ../shared/peers/run-phold.sh (uniform destination); the 0.5
 * variant keeps half the events on their own LP.
 */
export default defineScenario({
  name: "phold",
  description: "PHOLD engine benchmark: 1000 LPs x 10 events, 3M events",
  model: "phold",
  seed: 42,
  phold: { lps: 1000, population: 10, events: 3_000_000, meanDelay: "1s" },
  variants: { "phold.remoteFraction": [1, 0.5] },
});
