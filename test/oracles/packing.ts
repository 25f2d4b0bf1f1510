// Fixtures and invariant checks shared by the packing tests (not used by the simulator).

import { applyPlan } from "../../models/controllers/packing/apply.js";
import {
  EMPTY_PORT_KEY,
  type AddressFamily,
  type EndpointState,
  type PackingAlgorithm,
  type SlicePlan,
  type SliceState,
  endpointEqual,
} from "../../models/controllers/packing/types.js";

/** reconciler_test.go newPod(i, ready): IP 1.2.3.(4+i) on node-1 (no zone label). */
export function pod(i: number, ready: boolean = i % 3 !== 0): EndpointState {
  return { id: `1.2.3.${4 + i}`, ready, serving: ready, terminating: false, nodeName: "node-1" };
}

export function pods(from: number, to: number, ready?: (i: number) => boolean): EndpointState[] {
  const out: EndpointState[] = [];
  for (let i = from; i < to; i++) out.push(pod(i, ready ? ready(i) : undefined));
  return out;
}

export const PORT_80 = "TCP:80";
export const PORT_81 = "TCP:81";

export function slice(name: string, endpoints: EndpointState[], extra: Partial<SliceState> = {}): SliceState {
  return { name, addressType: "IPv4", portKey: PORT_80, endpoints, ownedByService: true, labelsMatch: true, ...extra };
}

/** nameFor with a counter that persists across syncs, like generateName. */
export function namer(prefix = "foo-"): (i: number) => string {
  let next = 0;
  return () => `${prefix}${next++}`;
}

export function sizes(slices: readonly SliceState[]): number[] {
  return slices.map((s) => s.endpoints.length).sort((a, b) => a - b);
}

export function actions(plan: SlicePlan): string[] {
  return [...plan.creates.map(() => "create"), ...plan.updates.map(() => "update"), ...plan.deletes.map(() => "delete")];
}

export function writes(plan: SlicePlan): number {
  return plan.creates.length + plan.updates.length + plan.deletes.length;
}

export interface Sync {
  plan: SlicePlan;
  after: SliceState[];
}

export function sync(
  algorithm: PackingAlgorithm,
  existing: readonly SliceState[],
  desired: ReadonlyMap<string, readonly EndpointState[]>,
  nameFor: (i: number) => string,
  max = 100,
  options?: Readonly<Record<string, number>>,
  addressType: AddressFamily = "IPv4",
): Sync {
  const plan = algorithm.reconcile({ addressType, maxEndpointsPerSlice: max, desired, existing, nameFor, options });
  return { plan, after: applyPlan(existing, plan) };
}

/**
 * The properties every algorithm must have after its plan is applied (returns a description of the first violation,
 * or undefined). `allowOversized` covers k8s keeping a pre-existing slice above MAX.
 */
export function checkInvariants(
  after: readonly SliceState[],
  desired: ReadonlyMap<string, readonly EndpointState[]>,
  max: number,
  addressType: AddressFamily,
  plan?: SlicePlan,
): string | undefined {
  const want = new Map<string, Map<string, EndpointState>>();
  let total = 0;
  for (const [key, list] of desired) {
    const m = new Map<string, EndpointState>();
    for (const e of list) m.set(e.id, e);
    want.set(key, m);
    total += m.size;
  }
  const seen = new Map<string, Set<string>>();
  for (const s of after) {
    if (s.addressType !== addressType) return `slice ${s.name} has address type ${s.addressType}`;
    if (!s.ownedByService) return `slice ${s.name} is not owned by the Service`;
    if (!s.labelsMatch) return `slice ${s.name} has stale labels`;
    if (s.endpoints.length > max) return `slice ${s.name} holds ${s.endpoints.length} > MAX ${max}`;
    const w = want.get(s.portKey);
    if (w === undefined) {
      if (!(s.portKey === EMPTY_PORT_KEY && s.endpoints.length === 0)) return `slice ${s.name} has undesired port key ${s.portKey}`;
      continue;
    }
    let got = seen.get(s.portKey);
    if (got === undefined) seen.set(s.portKey, (got = new Set()));
    for (const e of s.endpoints) {
      const d = w.get(e.id);
      if (d === undefined) return `stale endpoint ${e.id} in slice ${s.name}`;
      if (!endpointEqual(d, e)) return `endpoint ${e.id} in slice ${s.name} has stale attributes`;
      if (got.has(e.id)) return `endpoint ${e.id} of port key ${s.portKey} is in two slices`;
      got.add(e.id);
    }
  }
  for (const [key, w] of want) {
    const got = seen.get(key) ?? new Set();
    for (const id of w.keys()) if (!got.has(id)) return `desired endpoint ${id} of port key ${key} is in no slice`;
  }
  if (total === 0) {
    if (after.length === 0) return "no endpoints and no placeholder slice";
    if (after.some((s) => s.endpoints.length > 0)) return "no endpoints desired but a slice holds some";
  }
  if (plan !== undefined) {
    const m = plan.metrics;
    if (m.desiredEndpoints !== total) return `metrics.desiredEndpoints ${m.desiredEndpoints} != ${total}`;
    if (m.actualSlices !== after.length) return `metrics.actualSlices ${m.actualSlices} != ${after.length} slices after`;
    const changed = plan.creates.length + plan.updates.length + plan.deletes.length - m.unsupportedDeletes;
    if (m.changedPerSync !== changed) return `metrics.changedPerSync ${m.changedPerSync} != ${changed}`;
  }
  return undefined;
}
