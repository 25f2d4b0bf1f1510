// Registry of the EndpointSlice packing algorithms. Each file holds one algorithm; shared.ts the common sync driver.

import * as builtIns from "./built-ins.js";
import { resolveOptions } from "./shared.js";
import type { PackingAlgorithm, PackingOptions } from "./types.js";

/** Upstream's algorithm: listed first, the reference the others are compared with. */
export const UPSTREAM_ALGORITHM = "k8s";

/** The built-in algorithms by name (built-ins.ts, one line each), upstream's first, then alphabetical. */
export const packingAlgorithms: Readonly<Record<string, PackingAlgorithm>> = Object.freeze(
  Object.fromEntries(
    Object.values(builtIns)
      .sort((a, b) => Number(b.name === UPSTREAM_ALGORITHM) - Number(a.name === UPSTREAM_ALGORITHM) || a.name.localeCompare(b.name))
      .map((a) => [a.name, a]),
  ),
);

/** Plugins loaded in this thread, by the key scenarios name them with (the module's absolute path). */
const plugins = new Map<string, PackingAlgorithm>();

/** Makes a plugin available under `key` (the bench layer loads the module and registers it before a run). */
export function registerPackingAlgorithm(key: string, algorithm: PackingAlgorithm): void {
  plugins.set(key, algorithm);
}

export function isPluginRegistered(key: string): boolean {
  return plugins.has(key);
}

export function getPackingAlgorithm(name: string): PackingAlgorithm {
  const algorithm = Object.hasOwn(packingAlgorithms, name) ? packingAlgorithms[name] : plugins.get(name);
  if (algorithm === undefined) {
    throw new Error(`unknown packing algorithm "${name}" (allowed: ${Object.keys(packingAlgorithms).join(", ")}, or the path of a plugin module)`);
  }
  return algorithm;
}

/** Validates options for an algorithm up front (e.g. when a scenario is loaded); returns them with defaults filled. */
export function validatePackingOptions(name: string, options?: PackingOptions): Record<string, number> {
  const algorithm = getPackingAlgorithm(name);
  return algorithm.freeOptions ? { ...options } : resolveOptions(algorithm.name, algorithm.options, options);
}

export { applyPlan } from "./apply.js";
export {
  definePackingAlgorithm,
  pluginAlgorithm,
  pluginFromExport,
  PluginOutputError,
  type PackingAlgorithmPlugin,
  type PluginEndpoint,
  type PluginInput,
  type PluginOutput,
} from "./plugin.js";
export { reconcileService, type ServiceReconcileInput } from "./service.js";
export { EMPTY_PORT_KEY, endpointEqual } from "./types.js";
export type {
  AddressFamily,
  EndpointState,
  OptionSpec,
  PackingAlgorithm,
  PackingOptions,
  ReconcileInput,
  SliceAddressType,
  SlicePlan,
  SliceState,
  SyncMetrics,
} from "./types.js";
