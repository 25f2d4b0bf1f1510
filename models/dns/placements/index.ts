/** Registry of DNS placements: the built-ins (built-ins.ts, one line each) and the plugins loaded in this thread. */
import type { DnsPlacement } from "../placement.js";
import * as builtIns from "./built-ins.js";

const BUILT_IN: ReadonlyMap<string, DnsPlacement> = new Map(Object.values(builtIns).map((p) => [p.name, p]));

/** The built-in placements' names, in the registry's order. */
export const PLACEMENT_NAMES: readonly string[] = [...BUILT_IN.keys()];

export function isPlacementName(name: string): boolean {
  return BUILT_IN.has(name);
}

/** Plugins loaded in this thread, by the key scenarios name them with (the module's absolute path). */
const plugins = new Map<string, DnsPlacement>();

/** Makes a plugin placement available under `key` (the bench layer loads the module and registers it). */
export function registerPlacement(key: string, placement: DnsPlacement): void {
  plugins.set(key, placement);
}

export function isPlacementRegistered(key: string): boolean {
  return plugins.has(key);
}

/** The placement called `name` (a built-in, or a registered plugin); throws an Error listing the allowed names otherwise. */
export function getPlacement(name: string): DnsPlacement {
  const placement = BUILT_IN.get(name) ?? plugins.get(name);
  if (placement === undefined) throw new Error(`unknown DNS placement "${name}"; allowed: ${PLACEMENT_NAMES.join(", ")}, or the path of a plugin module`);
  return placement;
}

/** All built-in placements, in PLACEMENT_NAMES order. */
export function allPlacements(): DnsPlacement[] {
  return [...BUILT_IN.values()];
}
