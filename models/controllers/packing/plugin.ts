/**
 * Packing algorithms from outside: a module whose default export is a plain object `{ name, reconcile(input) }`,
 * called once per Service port mapping and address family with plain data, answering with plain data. The adapter
 * below runs it inside the shared sync driver (shared.ts: non-owned and unsupported slices, the placeholder rule,
 * finalize's recycling, API order and metrics), exactly as the built-in algorithms' port-map packers run.
 */
import { newSlice, reconcileFamily, type FamilyAlgorithm, type PortMapContext, type PortMapResult } from "./shared.js";
import type { EndpointState, PackingAlgorithm, SliceState } from "./types.js";

/** One endpoint as a plugin sees it (the fields of `bench reconcile`): a copy of the model's own. */
export type PluginEndpoint = EndpointState;

export interface PluginInput {
  maxEndpointsPerSlice: number;
  /** The scenario's `controller.algorithmOptions`, as given. */
  options: Readonly<Record<string, number>>;
  /** The Service's slices of this port mapping and family, in informer order. */
  existing: { name: string; endpoints: PluginEndpoint[] }[];
  /** Every endpoint the Service should have, in pod order. */
  desired: PluginEndpoint[];
}

/** Each created or updated slice lists every endpoint it will hold (by id); slices not named stay as they are. */
export interface PluginOutput {
  create: { endpoints: string[] }[];
  update: { name: string; endpoints: string[] }[];
  delete: string[];
}

export interface PackingAlgorithmPlugin {
  name: string;
  description?: string;
  reconcile(input: PluginInput): PluginOutput;
}

/** Types for a plugin's author; a plugin needs no import at all (a plain default export of the same shape works). */
export function definePackingAlgorithm(plugin: PackingAlgorithmPlugin): PackingAlgorithmPlugin {
  return plugin;
}

/** A plugin's output that the driver cannot apply (unknown ids or slices). */
export class PluginOutputError extends Error {
  override name = "PluginOutputError";
}

/** A module's default export as a plugin, or an Error saying what is missing. */
export function pluginFromExport(exported: unknown, where: string): PackingAlgorithmPlugin {
  if (typeof exported !== "object" || exported === null) {
    throw new Error(
      `${where}: a packing algorithm plugin must \`export default { name, reconcile(input) }\` (its default export is ${exported === undefined ? "missing" : typeof exported})`,
    );
  }
  const p = exported as Partial<PackingAlgorithmPlugin>;
  if (typeof p.name !== "string" || p.name === "") throw new Error(`${where}: the plugin's \`name\` must be a non-empty string`);
  if (typeof p.reconcile !== "function") throw new Error(`${where}: the plugin's \`reconcile\` must be a function (input) => ({ create, update, delete })`);
  return p as PackingAlgorithmPlugin;
}

function plain(e: EndpointState): PluginEndpoint {
  const out: PluginEndpoint = { id: e.id, ready: e.ready, serving: e.serving, terminating: e.terminating };
  if (e.nodeName !== undefined) out.nodeName = e.nodeName;
  if (e.zone !== undefined) out.zone = e.zone;
  return out;
}

function isStringArray(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((x) => typeof x === "string");
}

/** Runs the plugin on one port map and turns its answer into the driver's creates, updates and deletes. */
function packWithPlugin(plugin: PackingAlgorithmPlugin, ctx: PortMapContext, options: Readonly<Record<string, number>>): PortMapResult {
  const input: PluginInput = {
    maxEndpointsPerSlice: ctx.max,
    options,
    existing: ctx.existing.map((s) => ({ name: s.name, endpoints: s.endpoints.map(plain) })),
    desired: [...ctx.desired.values()].map(plain),
  };
  const out = plugin.reconcile(input) as Partial<PluginOutput> | undefined;
  const fail = (what: string): never => {
    throw new PluginOutputError(`packing algorithm "${plugin.name}": ${what}`);
  };
  if (typeof out !== "object" || out === null) return fail("reconcile must return { create, update, delete }");
  const create = out.create ?? [];
  const update = out.update ?? [];
  const del = out.delete ?? [];
  if (!Array.isArray(create) || !Array.isArray(update) || !isStringArray(del))
    return fail("create and update must be lists of slices, delete a list of slice names");
  const existingByName = new Map(ctx.existing.map((s) => [s.name, s]));
  const endpoints = (ids: unknown, where: string): EndpointState[] => {
    if (!isStringArray(ids)) return fail(`${where}.endpoints must be a list of endpoint ids`);
    return ids.map((id) => ctx.desired.get(id) ?? fail(`${where} lists endpoint "${id}", which is not desired`));
  };
  const creates = create.map((c, i) => newSlice(ctx.addressType, ctx.portKey, endpoints((c as { endpoints?: unknown })?.endpoints, `create[${i}]`)));
  const named = new Set<string>();
  const slice = (name: unknown, where: string): SliceState => {
    if (typeof name !== "string") return fail(`${where} must name a slice`);
    const s = existingByName.get(name) ?? fail(`${where} names slice "${name}", which is not one of this Service's`);
    if (named.has(name)) fail(`${where} names slice "${name}" a second time`);
    named.add(name);
    return s;
  };
  const updates = update.map((u, i) => ({
    ...slice((u as { name?: unknown })?.name, `update[${i}]`),
    endpoints: endpoints((u as { endpoints?: unknown })?.endpoints, `update[${i}]`),
    labelsMatch: true,
  }));
  const deletes = del.map((name, i) => slice(name, `delete[${i}]`));
  return { creates, updates, deletes };
}

/** The plugin as a packing algorithm of this model. */
export function pluginAlgorithm(plugin: PackingAlgorithmPlugin): PackingAlgorithm {
  const family: FamilyAlgorithm = { name: plugin.name, options: {}, freeOptions: true, packPortMap: (ctx, options) => packWithPlugin(plugin, ctx, options) };
  return {
    name: plugin.name,
    description: plugin.description ?? "a plugin",
    options: {},
    freeOptions: true,
    reconcile: (input) => reconcileFamily(input, family),
  };
}
