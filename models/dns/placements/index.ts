/** Registry of DNS placements. */
import type { DnsPlacement, PlacementName } from "../placement.js";
import { PLACEMENT_NAMES } from "../placement.js";
import { central } from "./central.js";
import { centralAutopath } from "./central-autopath.js";
import { corednsDaemonset } from "./coredns-daemonset.js";
import { nodelocal } from "./nodelocal.js";
import { nodelocalPreferSameNode } from "./nodelocal-prefer-same-node.js";
import { zonal } from "./zonal.js";

export { central, centralAutopath, corednsDaemonset, nodelocal, nodelocalPreferSameNode, zonal };

const REGISTRY: Readonly<Record<PlacementName, DnsPlacement>> = {
  central,
  "central-autopath": centralAutopath,
  nodelocal,
  "nodelocal-prefer-same-node": nodelocalPreferSameNode,
  zonal,
  "coredns-daemonset": corednsDaemonset,
};

export function isPlacementName(name: string): name is PlacementName {
  return (PLACEMENT_NAMES as readonly string[]).includes(name);
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
  if (isPlacementName(name)) return REGISTRY[name];
  const plugin = plugins.get(name);
  if (plugin === undefined) throw new Error(`unknown DNS placement "${name}"; allowed: ${PLACEMENT_NAMES.join(", ")}, or the path of a plugin module`);
  return plugin;
}

/** All placements, in PLACEMENT_NAMES order. */
export function allPlacements(): DnsPlacement[] {
  return PLACEMENT_NAMES.map((n) => REGISTRY[n]);
}
