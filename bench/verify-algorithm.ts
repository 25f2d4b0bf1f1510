/**
 * `bench verify-algorithm <name|path>`: the invariants every packing algorithm must keep, checked on random states
 * (fast-check, a fixed seed, shrunk counterexamples), and how often its plans equal upstream's reconciler (the `k8s`
 * algorithm, which mirrors pkg/controller/endpointslice's reconciler.go; information, not a failure).
 */
import fc from "fast-check";
import { endpointEqual, getPackingAlgorithm } from "../models/controllers/packing/index.js";
import type { EndpointState, PackingAlgorithm, SlicePlan, SliceState } from "../models/controllers/packing/index.js";
import { reconcileAndApply } from "./reconcile.js";

/** A state as `bench reconcile` takes it (one port mapping, IPv4). */
export interface VerifyCase {
  maxEndpointsPerSlice: number;
  existing: { name: string; endpoints: EndpointState[] }[];
  desired: EndpointState[];
}

export const INVARIANTS = [
  "every desired endpoint is in exactly one slice",
  "no slice holds more than maxEndpointsPerSlice",
  "no slice holds a stale endpoint (one not desired, or with old attributes)",
  "no slice is updated without a change",
  "kube-proxy's merged view of the slices equals the desired set",
  "the same input gives the same plan",
] as const;

const PORT_KEY = "TCP:80";

function plans(algorithm: PackingAlgorithm, c: VerifyCase): { plans: SlicePlan[]; before: SliceState[]; after: SliceState[] } {
  const before: SliceState[] = c.existing.map((s) => ({
    name: s.name,
    addressType: "IPv4",
    portKey: PORT_KEY,
    endpoints: s.endpoints.map((e) => ({ ...e })),
    ownedByService: true,
    labelsMatch: true,
  }));
  const desired = new Map([[PORT_KEY, c.desired.map((e) => ({ ...e }))]]);
  return { before, ...reconcileAndApply(algorithm, { family: "IPv4", maxEndpointsPerSlice: c.maxEndpointsPerSlice, existing: before, desired }) };
}

/** The first invariant the algorithm breaks on this state, or undefined. */
export function brokenInvariant(algorithm: PackingAlgorithm, c: VerifyCase): string | undefined {
  let run: ReturnType<typeof plans>;
  try {
    run = plans(algorithm, c);
  } catch (e) {
    return `it throws: ${(e as Error).message}`;
  }
  const desired = new Map(c.desired.map((e) => [e.id, e]));
  const count = new Map<string, number>();
  for (const s of run.after) for (const e of s.endpoints) count.set(e.id, (count.get(e.id) ?? 0) + 1);
  for (const id of desired.keys()) if (count.get(id) !== 1) return INVARIANTS[0];
  for (const s of run.after) if (s.endpoints.length > c.maxEndpointsPerSlice) return INVARIANTS[1];
  for (const s of run.after) for (const e of s.endpoints) if (!desired.has(e.id) || !endpointEqual(e, desired.get(e.id)!)) return INVARIANTS[2];
  const beforeByName = new Map(run.before.map((s) => [s.name, s]));
  for (const p of run.plans) {
    for (const u of p.updates) {
      const old = beforeByName.get(u.name);
      if (old?.labelsMatch && old.portKey === u.portKey && sameEndpoints(old.endpoints, u.endpoints)) return INVARIANTS[3];
    }
  }
  const merged = new Map<string, EndpointState>();
  for (const s of run.after) for (const e of s.endpoints) if (!merged.has(e.id)) merged.set(e.id, e);
  if (merged.size !== desired.size || [...desired].some(([id, e]) => merged.get(id) === undefined || !endpointEqual(merged.get(id)!, e))) return INVARIANTS[4];
  let again: ReturnType<typeof plans>;
  try {
    again = plans(algorithm, c);
  } catch (e) {
    return `it throws on the second run: ${(e as Error).message}`;
  }
  if (JSON.stringify(again.plans) !== JSON.stringify(run.plans)) return INVARIANTS[5];
  return undefined;
}

function sameEndpoints(a: readonly EndpointState[], b: readonly EndpointState[]): boolean {
  return a.length === b.length && a.every((e, i) => e.id === b[i].id && endpointEqual(e, b[i]));
}

/** Random states: up to 30 endpoints over 3 nodes and zones, up to 6 existing slices of at most MAX, no id twice. */
export function verifyCases(): fc.Arbitrary<VerifyCase> {
  const attrs = fc.record({
    ready: fc.boolean(),
    terminating: fc.boolean(),
    nodeName: fc.constantFrom("node-a", "node-b", "node-c"),
    zone: fc.constantFrom("zone-1", "zone-2", "zone-3"),
  });
  const endpoint = (id: string): fc.Arbitrary<EndpointState> =>
    attrs.map((a) => ({ id, ready: a.ready && !a.terminating, serving: a.ready, terminating: a.terminating, nodeName: a.nodeName, zone: a.zone }));
  return fc.integer({ min: 1, max: 8 }).chain((max) =>
    fc
      .record({
        desiredIds: fc.uniqueArray(fc.integer({ min: 0, max: 29 }), { maxLength: 30 }),
        existingIds: fc.uniqueArray(fc.integer({ min: 0, max: 29 }), { maxLength: 30 }),
        cuts: fc.array(fc.integer({ min: 1, max }), { maxLength: 6 }),
      })
      .chain(({ desiredIds, existingIds, cuts }) => {
        const slices: string[][] = [];
        let at = 0;
        for (const n of cuts) {
          slices.push(existingIds.slice(at, at + n).map((i) => `10.0.0.${i}`));
          at += n;
        }
        return fc.record({
          maxEndpointsPerSlice: fc.constant(max),
          existing: fc.tuple(...slices.map((ids, s) => fc.tuple(...ids.map(endpoint)).map((eps) => ({ name: `slice-${s}`, endpoints: eps })))),
          desired: fc.tuple(...desiredIds.map((i) => endpoint(`10.0.0.${i}`))),
        });
      }),
  );
}

export interface VerifyReport {
  runs: number;
  /** The broken invariant and the smallest state found that breaks it, as a `bench reconcile` case. */
  failure?: { invariant: string; counterexample: VerifyCase };
  /** States on which the plan equals upstream's reconciler's (the `k8s` algorithm's). */
  sameAsUpstream: number;
}

/** Checks `algorithm` on `runs` random states (fixed seed: the same states every time). */
export function verifyAlgorithm(algorithm: PackingAlgorithm, runs = 500, seed = 752): VerifyReport {
  const result = fc.check(
    fc.property(verifyCases(), (c) => {
      const broken = brokenInvariant(algorithm, c);
      if (broken !== undefined) throw new Error(broken);
    }),
    { numRuns: runs, seed },
  );
  const upstream = getPackingAlgorithm("k8s");
  let same = 0;
  for (const c of fc.sample(verifyCases(), { numRuns: runs, seed })) {
    try {
      if (JSON.stringify(plans(algorithm, c).plans) === JSON.stringify(plans(upstream, c).plans)) same++;
    } catch {
      // a throwing algorithm is reported by the invariants
    }
  }
  if (!result.failed) return { runs, sameAsUpstream: same };
  const counterexample = result.counterexample![0] as VerifyCase;
  const message = result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
  return { runs, sameAsUpstream: same, failure: { invariant: message, counterexample } };
}

/** The counterexample as a case `bench reconcile` runs (endpoints with only the fields that differ from defaults). */
export function asReconcileCase(algorithm: string, c: VerifyCase): unknown {
  const ep = (e: EndpointState) => ({ id: e.id, ready: e.ready, serving: e.serving, terminating: e.terminating, nodeName: e.nodeName, zone: e.zone });
  return {
    algorithm,
    maxEndpointsPerSlice: c.maxEndpointsPerSlice,
    ports: [{ name: "", port: 80 }],
    existing: c.existing.map((s) => ({ name: s.name, endpoints: s.endpoints.map(ep) })),
    desired: c.desired.map(ep),
  };
}
