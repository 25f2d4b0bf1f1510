/**
 * `bench reconcile <case.json>`: one packing algorithm on one concrete state, its API calls printed as JSON. A
 * playground for algorithm authors and the way to check conformance cases by hand.
 */
import { z } from "zod";
import { applyPlan, getPackingAlgorithm, packingAlgorithms, reconcileService } from "../models/controllers/packing/index.js";
import type { AddressFamily, EndpointState, PackingAlgorithm, SlicePlan, SliceState } from "../models/controllers/packing/index.js";
import { EMPTY_PORT_KEY } from "../models/controllers/packing/index.js";
import { InputError, formatIssues } from "./load.js";
import { packingAlgorithmFor } from "./plugins.js";
import { int, oneOf } from "../models/config-fields.js";
import { isModulePath } from "../models/network/config.js";

const endpoint = z
  .object({
    id: z
      .string({ error: "must be a non-empty text (the endpoint's identity, e.g. its IP)" })
      .min(1, { error: "must be a non-empty text (the endpoint's identity, e.g. its IP)" }),
    ready: z.boolean().default(true),
    serving: z.boolean().optional(),
    terminating: z.boolean().default(false),
    nodeName: z.string().optional(),
    zone: z.string().optional(),
  })
  .strict();

const port = z.object({ name: z.string().default(""), port: int(1, 65535), protocol: oneOf(["TCP", "UDP", "SCTP"]).default("TCP") }).strict();

const algorithmNames = Object.keys(packingAlgorithms) as [string, ...string[]];
const builtInOrPath = `must be one of ${algorithmNames.map((n) => JSON.stringify(n)).join(", ")}, or the path of a plugin module`;

const caseSchema = z
  .object({
    algorithm: z.string({ error: builtInOrPath }).refine((v) => (algorithmNames as string[]).includes(v) || isModulePath(v), { error: builtInOrPath }),
    maxEndpointsPerSlice: int(1, 1000).default(100),
    options: z.record(z.string(), z.number()).default({}),
    addressType: oneOf(["IPv4", "IPv6"]).default("IPv4"),
    /** The Service's ports as every desired endpoint resolves them (and existing slices' default). */
    ports: z.array(port).default([]),
    existing: z
      .array(
        z
          .object({
            name: z.string().min(1, { error: "must be a non-empty text" }),
            endpoints: z.array(endpoint).default([]),
            ports: z.array(port).optional(),
            addressType: oneOf(["IPv4", "IPv6", "IP", "FQDN"]).optional(),
            ownedByService: z.boolean().default(true),
            labelsMatch: z.boolean().default(true),
          })
          .strict(),
      )
      .default([]),
    desired: z.array(endpoint),
  })
  .strict();

export interface ReconcileOutput {
  created: number;
  updated: number;
  deleted: number;
  slices: { name: string; size: number }[];
  actions: { op: "create" | "update" | "delete"; slice: string; size: number }[];
}

function portKey(ports: readonly z.output<typeof port>[]): string {
  return ports.length === 0 ? EMPTY_PORT_KEY : JSON.stringify(ports.map((p) => [p.name, p.port, p.protocol]));
}

function toEndpoint(e: z.output<typeof endpoint>): EndpointState {
  return { id: e.id, ready: e.ready, serving: e.serving ?? e.ready, terminating: e.terminating, nodeName: e.nodeName, zone: e.zone };
}

/**
 * A case whose `algorithm` is a plugin path: the plugin loaded (path relative to `dir`) and the case naming it by
 * its absolute path, ready for runReconcileCase. Other cases come back as they are.
 */
export async function withPluginLoaded(raw: unknown, where: string, dir: string): Promise<unknown> {
  const name = (raw as { algorithm?: unknown } | null)?.algorithm;
  if (typeof name !== "string" || !isModulePath(name)) return raw;
  const { key } = await packingAlgorithmFor(name, dir, `${where}: algorithm`);
  return { ...(raw as object), algorithm: key };
}

/**
 * One sync of one Service and address family: the algorithm's plans (created slices named `created-1`, `created-2`,
 * ... skipping names in use) and the slices after applying them in API order.
 */
export function reconcileAndApply(
  algorithm: PackingAlgorithm,
  c: { family: AddressFamily; maxEndpointsPerSlice: number; existing: SliceState[]; desired: Map<string, EndpointState[]>; options?: Record<string, number> },
): { plans: SlicePlan[]; after: SliceState[] } {
  const names = new Set(c.existing.map((s) => s.name));
  let serial = 0;
  const nameFor = (): string => {
    let name: string;
    do name = `created-${++serial}`;
    while (names.has(name));
    return name;
  };
  const plans = reconcileService(algorithm, {
    families: [c.family],
    maxEndpointsPerSlice: c.maxEndpointsPerSlice,
    desired: new Map([[c.family, c.desired]]),
    existing: c.existing,
    nameFor,
    options: c.options ?? {},
  });
  let after = c.existing;
  for (const plan of plans) after = applyPlan(after, plan);
  return { plans, after };
}

/** Validates a case (as parsed JSON) and runs it. */
export function runReconcileCase(raw: unknown, where: string): ReconcileOutput {
  const parsed = caseSchema.safeParse(raw, { reportInput: true });
  if (!parsed.success) throw new InputError(formatIssues(parsed.error.issues, where).replace("invalid scenario", "invalid reconcile case"));
  const c = parsed.data;
  const names = new Set<string>();
  for (const [i, s] of c.existing.entries()) {
    if (names.has(s.name)) throw new InputError(`${where}: existing.${i}.name: duplicate slice name ${JSON.stringify(s.name)}`);
    names.add(s.name);
  }
  const algorithm = getPackingAlgorithm(c.algorithm);
  const family = c.addressType as AddressFamily;
  const existing: SliceState[] = c.existing.map((s) => ({
    name: s.name,
    addressType: s.addressType ?? family,
    portKey: portKey(s.ports ?? c.ports),
    endpoints: s.endpoints.map(toEndpoint),
    ownedByService: s.ownedByService,
    labelsMatch: s.labelsMatch,
  }));
  const desired = new Map<string, EndpointState[]>();
  if (c.desired.length > 0) desired.set(portKey(c.ports), c.desired.map(toEndpoint));
  let run: ReturnType<typeof reconcileAndApply>;
  try {
    run = reconcileAndApply(algorithm, { family, maxEndpointsPerSlice: c.maxEndpointsPerSlice, existing, desired, options: c.options });
  } catch (e) {
    throw new InputError(`${where}: ${(e as Error).message}`);
  }
  const actions: ReconcileOutput["actions"] = [];
  for (const plan of run.plans) {
    for (const s of plan.creates) actions.push({ op: "create", slice: s.name, size: s.endpoints.length });
    for (const s of plan.updates) actions.push({ op: "update", slice: s.name, size: s.endpoints.length });
    for (const s of plan.deletes) actions.push({ op: "delete", slice: s.name, size: s.endpoints.length });
  }
  const state = run.after;
  return {
    created: actions.filter((a) => a.op === "create").length,
    updated: actions.filter((a) => a.op === "update").length,
    deleted: actions.filter((a) => a.op === "delete").length,
    slices: state.map((s) => ({ name: s.name, size: s.endpoints.length })),
    actions,
  };
}
