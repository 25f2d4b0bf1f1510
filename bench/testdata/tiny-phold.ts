import { defineScenario } from "../scenario.js";

export default defineScenario({
  name: "tiny <phold> & co",
  model: "phold",
  seed: 7,
  phold: { lps: 50, population: 4, events: 20_000 },
  variants: [{ "phold.remoteFraction": [1, 0.25] }, { "phold.lookahead": "10ms" }],
  assumptions: [{ name: "meanDelay", value: "1s", why: "the PHOLD default" }],
});
