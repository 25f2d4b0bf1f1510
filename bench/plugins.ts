/**
 * Loading plugins named by path: packing algorithms (`controller.algorithm: "./algorithms/my-algo.ts"`, a `bench
 * reconcile` case's `algorithm`, `bench verify-algorithm <path>`) and DNS placements (`dns.placement: "./placements/my-placement.ts"`): the module is imported (TypeScript through tsx),
 * checked for the plugin shape and registered with the models under its absolute path, in every thread that runs it.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import { getPackingAlgorithm, isPluginRegistered, pluginAlgorithm, pluginFromExport, registerPackingAlgorithm } from "../models/controllers/packing/index.js";
import type { PackingAlgorithm } from "../models/controllers/packing/index.js";
import { placementFromExport } from "../models/dns/placement.js";
import { isPlacementRegistered, registerPlacement } from "../models/dns/placements/index.js";
import { defaultExport, InputError } from "./load.js";
import { builtInOrPluginPath, isModulePath } from "../models/network/config.js";

/** Imports the plugin at `file` (absolute) once per thread and registers it; an InputError says what is wrong. */
export async function loadPackingPlugin(file: string, where: string): Promise<void> {
  if (isPluginRegistered(file)) return;
  const exported = await importModule(file, where);
  try {
    registerPackingAlgorithm(file, pluginAlgorithm(pluginFromExport(exported, file)));
  } catch (e) {
    throw new InputError(`${where}: ${(e as Error).message}`);
  }
}

/** The default export of the module at `file`, or an InputError. */
async function importModule(file: string, where: string): Promise<unknown> {
  if (!existsSync(file)) throw new InputError(`${where}: plugin module not found: ${file}`);
  try {
    return defaultExport(await tsImport(pathToFileURL(file).href, import.meta.url));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new InputError(`${where}: cannot load the plugin module ${file}: ${msg.split("\n").slice(0, 3).join(" ")}`);
  }
}

/** The algorithm `name` names: a built-in, or the plugin at that path (relative to `dir`), loaded. */
export async function packingAlgorithmFor(name: string, dir: string, where: string): Promise<{ key: string; algorithm: PackingAlgorithm }> {
  if (!isModulePath(name)) {
    try {
      return { key: name, algorithm: getPackingAlgorithm(name) };
    } catch {
      throw new InputError(`${where}: ${builtInOrPluginPath} (got ${JSON.stringify(name)})`);
    }
  }
  const key = resolve(dir, name);
  await loadPackingPlugin(key, where);
  return { key, algorithm: getPackingAlgorithm(key) };
}

/** Imports the DNS placement plugin at `file` (absolute) once per thread and registers it. */
export async function loadPlacementPlugin(file: string, where: string): Promise<void> {
  if (isPlacementRegistered(file)) return;
  const exported = await importModule(file, where);
  try {
    registerPlacement(file, placementFromExport(exported, file));
  } catch (e) {
    throw new InputError(`${where}: ${(e as Error).message}`);
  }
}

/** Loads the plugins a set of (resolved) scenarios name, so the models can run them in this thread. */
export async function loadScenarioPlugins(
  scenarios: readonly { model: string; controller?: { algorithm: string }; dns?: { placement: string } }[],
  where: string,
): Promise<void> {
  for (const s of scenarios) {
    if (s.model !== "network") continue;
    if (s.controller !== undefined && isModulePath(s.controller.algorithm)) await loadPackingPlugin(s.controller.algorithm, `${where}: controller.algorithm`);
    if (s.dns !== undefined && isModulePath(s.dns.placement)) await loadPlacementPlugin(s.dns.placement, `${where}: dns.placement`);
  }
}
