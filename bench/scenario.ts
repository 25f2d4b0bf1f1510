/**
 * The public scenario API: what a file under scenarios/ imports.
 *
 *   import { defineScenario } from "./scenario.js";
 *   export default defineScenario({ name: "phold", model: "phold", phold: { lps: 1000, population: 10, events: 3e6 } });
 */
import type { ScenarioInput } from "./schema.js";

export type { ScenarioInput, Scenario } from "./schema.js";

/** Declares a scenario. The identity at run time; it gives the file full type checking and completion. */
export function defineScenario(scenario: ScenarioInput): ScenarioInput {
  return scenario;
}

/** Types for a packing-algorithm plugin's author (optional: a plain `export default { name, reconcile }` works too). */
export { definePackingAlgorithm } from "../models/controllers/packing/index.js";
export type { PackingAlgorithmPlugin, PluginEndpoint, PluginInput, PluginOutput } from "../models/controllers/packing/index.js";
