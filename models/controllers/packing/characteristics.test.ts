// How the algorithms differ on purpose: fragmentation after a grow/shrink cycle, write counts per change, stability of
// the hashed layout, zone purity.

import fc from "fast-check";
import * as builtIns from "./built-ins.js";
import { describe, expect, it } from "vitest";
import { compact } from "./compact.js";
import { getPackingAlgorithm, packingAlgorithms, validatePackingOptions } from "./index.js";
import { k8s } from "./k8s.js";
import { rebalance } from "./rebalance.js";
import { chooseBucketCount, placeByHash, stableHash, stableHashAlgorithm } from "./stable-hash.js";
import type { EndpointState, PackingAlgorithm, SliceState } from "./types.js";
import { zoneAffine } from "./zone-affine.js";
import { checkInvariants, namer, sizes, sync, writes } from "../../../test/oracles/packing.js";

const KEY = "TCP:80";
const ep = (i: number, zone?: string): EndpointState => ({
  id: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  ready: true,
  serving: true,
  terminating: false,
  nodeName: `node-${i % 50}`,
  zone,
});
const range = (from: number, to: number, zone?: (i: number) => string | undefined) =>
  Array.from({ length: to - from }, (_, k) => ep(from + k, zone?.(from + k)));
const desiredOf = (eps: EndpointState[]) => new Map([[KEY, eps]]);

/** Grow 100 -> 1000 in ten syncs, then delete 90% of the pods (every pod but each tenth) in one sync. */
function growThenShrink(algorithm: PackingAlgorithm, zones = false) {
  const names = namer();
  const zone = zones ? (i: number) => `zone-${i % 3}` : undefined;
  let slices: SliceState[] = [];
  for (let n = 100; n <= 1000; n += 100) {
    const desired = desiredOf(range(0, n, zone));
    ({ after: slices } = sync(algorithm, slices, desired, names));
    expect(checkInvariants(slices, desired, 100, "IPv4")).toBeUndefined();
  }
  const grown = slices.length;
  const kept = range(0, 1000, zone).filter((_, i) => i % 10 === 0);
  const shrink = sync(algorithm, slices, desiredOf(kept), names);
  expect(checkInvariants(shrink.after, desiredOf(kept), 100, "IPv4")).toBeUndefined();
  return { grown, shrink, kept, names };
}

describe("grow 10x then shrink back (docs/sources.md §13: khenidak's fragmentation concern)", () => {
  it("k8s leaves many sparse slices behind and never repacks them", () => {
    const { grown, shrink, kept, names } = growThenShrink(k8s);
    expect(grown).toBe(10);
    expect(shrink.after).toHaveLength(10);
    expect(sizes(shrink.after)).toEqual(Array(10).fill(10));
    expect(shrink.plan.metrics.desiredSlices).toBe(1);
    // and nothing changes that on later syncs
    expect(writes(sync(k8s, shrink.after, desiredOf(kept), names).plan)).toBe(0);
  });

  it("compact reaches ceil(n/MAX) in the same sync", () => {
    const { grown, shrink } = growThenShrink(compact);
    expect(grown).toBe(10);
    expect(sizes(shrink.after)).toEqual([100]);
    // it paid for it: 1 update, 9 deletes
    expect([shrink.plan.creates.length, shrink.plan.updates.length, shrink.plan.deletes.length]).toEqual([0, 1, 9]);
  });

  it("rebalance repacks for free when the shrink already writes every slice", () => {
    const { shrink } = growThenShrink(rebalance);
    // k8s writes 10 updates here; merging into slices that are being written anyway costs nothing extra
    expect(sizes(shrink.after)).toEqual([100]);
    expect([shrink.plan.creates.length, shrink.plan.updates.length, shrink.plan.deletes.length]).toEqual([0, 1, 9]);
  });

  it("rebalance converges over quiet syncs from k8s's fragments, within its write budget each sync", () => {
    const { shrink, kept, names } = growThenShrink(k8s);
    let slices = shrink.after;
    let syncs = 0;
    for (;;) {
      const { plan, after } = sync(rebalance, slices, desiredOf(kept), names);
      expect(checkInvariants(after, desiredOf(kept), 100, "IPv4", plan)).toBeUndefined();
      expect(writes(plan)).toBeLessThanOrEqual(2); // k8s would write 0 here
      slices = after;
      if (writes(plan) === 0) break;
      syncs++;
    }
    // one merge (delete a donor, update one receiver) per sync: 10 slices of 10 -> 1 slice of 100 in 9 syncs
    expect(sizes(slices)).toEqual([100]);
    expect(syncs).toBe(9);
  });

  it("rebalance with a bigger budget converges in fewer syncs", () => {
    const { shrink, kept, names } = growThenShrink(k8s);
    let slices = shrink.after;
    let syncs = 0;
    for (;;) {
      const { plan, after } = sync(rebalance, slices, desiredOf(kept), names, 100, { writeBudget: 10 });
      slices = after;
      if (writes(plan) === 0) break;
      syncs++;
    }
    expect(sizes(slices)).toEqual([100]);
    expect(syncs).toBe(1);
  });

  it("stable-hash shrinks its bucket count once the fill drops below the band", () => {
    const { grown, shrink } = growThenShrink(stableHashAlgorithm);
    // buckets along the growth: 2, 3, 4, 5, 7, 7, 9, 9, 12, 12 (grow when above 90% full, to 80%)
    expect(grown).toBe(12);
    // 100 endpoints in >= 12 buckets is < 40% full: reset to ceil(1.25 * 100 / 100) = 2
    expect(shrink.after).toHaveLength(2);
  });

  it("zone-affine keeps per-zone fragments like k8s", () => {
    const { shrink } = growThenShrink(zoneAffine, true);
    expect(shrink.after.length).toBeGreaterThanOrEqual(10);
    for (const s of shrink.after) expect(new Set(s.endpoints.map((e) => e.zone)).size).toBeLessThanOrEqual(1);
  });
});

describe("writes per single change in a steady 1000-endpoint Service", () => {
  function steady(algorithm: PackingAlgorithm) {
    const names = namer();
    const eps = range(0, 1000);
    const { after } = sync(algorithm, [], desiredOf(eps), names);
    return { eps, slices: after, names };
  }

  it("a pod IP change: k8s refills the update-marked slice (1 write); stable-hash writes the old and the new home", () => {
    for (const algorithm of [k8s, compact, stableHashAlgorithm]) {
      const { eps, slices, names } = steady(algorithm);
      const changed = eps.map((e, i) => (i === 500 ? ep(5000) : e));
      const { plan } = sync(algorithm, slices, desiredOf(changed), names);
      if (algorithm === stableHashAlgorithm) expect(writes(plan)).toBeLessThanOrEqual(3);
      else expect(writes(plan)).toBe(1);
    }
  });

  it("a readiness flip is one update for every algorithm", () => {
    for (const algorithm of Object.values(packingAlgorithms)) {
      const { eps, slices, names } = steady(algorithm);
      const flipped = eps.map((e, i) => (i === 123 ? { ...e, ready: false } : e));
      expect(writes(sync(algorithm, slices, desiredOf(flipped), names).plan)).toBe(1);
    }
  });

  it("stable-hash: single adds and deletes touch one slice, two when a bucket overflows", () => {
    let { eps, slices, names } = steady(stableHashAlgorithm);
    const counts: number[] = [];
    for (let k = 0; k < 60; k++) {
      eps = k % 2 === 0 ? [...eps, ep(10_000 + k)] : eps.filter((_, i) => i !== (k * 37) % eps.length);
      const { plan, after } = sync(stableHashAlgorithm, slices, desiredOf(eps), names);
      counts.push(writes(plan));
      slices = after;
    }
    expect(Math.max(...counts)).toBeLessThanOrEqual(3);
    expect(counts.filter((c) => c === 1).length).toBeGreaterThanOrEqual(45);
  });

  it("stable-hash: a batch of adds spreads over many slices where k8s fills one", () => {
    const batch = range(20_000, 20_050);
    const k = steady(k8s);
    const h = steady(stableHashAlgorithm);
    const kWrites = writes(sync(k8s, k.slices, desiredOf([...k.eps, ...batch]), k.names).plan);
    const hWrites = writes(sync(stableHashAlgorithm, h.slices, desiredOf([...h.eps, ...batch]), h.names).plan);
    expect(kWrites).toBe(1); // 50 fit in one new slice
    expect(hWrites).toBeGreaterThan(5);
  });
});

describe("stable-hash pieces", () => {
  it("FNV-1a + fmix32 is fixed (results must never change between runs or versions)", () => {
    expect(stableHash("")).toBe(stableHash(""));
    expect([stableHash("10.0.0.1"), stableHash("10.0.0.2"), stableHash("2001:db8::1")]).toEqual([
      stableHash("10.0.0.1"),
      stableHash("10.0.0.2"),
      stableHash("2001:db8::1"),
    ]);
    // FNV-1a("a") = 0xe40c292c, then fmix32
    let h = 0xe40c292c;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    expect(stableHash("a")).toBe(h >>> 0);
    expect(stableHash("é")).not.toBe(stableHash("e"));
  });

  it("bucket count hysteresis: a count oscillating around a threshold does not flap", () => {
    // 160 endpoints: ideal ceil(1.25 * 160 / 100) = 2; above 90% of 200 it grows to ceil(1.25 * 181 / 100) = 3
    expect(chooseBucketCount(160, 0, 100, 1.25)).toBe(2);
    expect(chooseBucketCount(180, 2, 100, 1.25)).toBe(2);
    expect(chooseBucketCount(181, 2, 100, 1.25)).toBe(3);
    for (const n of [179, 181, 150, 121]) expect(chooseBucketCount(n, 3, 100, 1.25)).toBe(3);
    // below 40% of 300 it shrinks to the ideal
    expect(chooseBucketCount(119, 3, 100, 1.25)).toBe(2);
    expect(chooseBucketCount(0, 3, 100, 1.25)).toBe(0);
    expect(chooseBucketCount(1, 1, 100, 1.25)).toBe(1);
  });

  it("oscillating between 179 and 181 endpoints keeps 3 slices and writes little", () => {
    const names = namer();
    let { after: slices } = sync(stableHashAlgorithm, [], desiredOf(range(0, 181)), names);
    expect(slices).toHaveLength(3);
    ({ after: slices } = sync(stableHashAlgorithm, slices, desiredOf(range(0, 181)), names));
    for (let k = 0; k < 10; k++) {
      const n = k % 2 === 0 ? 179 : 181;
      const { plan, after } = sync(stableHashAlgorithm, slices, desiredOf(range(0, n)), names);
      expect(after).toHaveLength(3);
      expect(writes(plan)).toBeLessThanOrEqual(4);
      slices = after;
    }
  });

  it("placement is a pure function of the set, spills stay within capacity", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.nat(100_000), { maxLength: 300 }), fc.integer({ min: 1, max: 50 }), fc.nat(), (ids, max, seed) => {
        const eps = ids.map((i) => ep(i));
        const b = Math.max(1, Math.ceil(eps.length / max));
        const a = placeByHash(eps, b, max);
        const shuffled = [...eps].sort((x, y) => stableHash(x.id + seed) - stableHash(y.id + seed));
        const c = placeByHash(shuffled, b, max);
        expect(c.map((l) => l.map((e) => e.id))).toEqual(a.map((l) => l.map((e) => e.id)));
        expect(a.every((l) => l.length <= max)).toBe(true);
        expect(a.flat()).toHaveLength(eps.length);
      }),
      { numRuns: 300 },
    );
  });

  it("after every sync the slices hold exactly placeByHash's buckets, new slices in bucket order (property)", () => {
    // the plan is computed from per-bucket counts (only overflowing buckets sorted); placeByHash places every
    // endpoint by the header's rule, so the two are computed independently
    const sorted = (l: readonly EndpointState[]) => l.map((e) => e.id).sort();
    const key = (l: readonly EndpointState[]) => sorted(l).join(" ");
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(400), fc.nat(400)), { minLength: 1, maxLength: 12 }), fc.constantFrom(3, 5, 20), (steps, max) => {
        const names = namer();
        let slices: SliceState[] = [];
        for (const [from, length] of steps) {
          const eps = range(from, from + length);
          const { plan, after } = sync(stableHashAlgorithm, slices, desiredOf(eps), names, max);
          slices = after;
          if (eps.length === 0) continue;
          const buckets = placeByHash(eps, slices.length, max);
          expect(slices.map((s) => key(s.endpoints)).sort()).toEqual(buckets.map((b) => key(b)).sort());
          for (const created of plan.creates) {
            const bucket = buckets.find((b) => key(b) === key(created.endpoints))!;
            expect(created.endpoints.map((e) => e.id)).toEqual(bucket.map((e) => e.id));
          }
        }
      }),
      { numRuns: 200, seed: 5 },
    );
  });
});

describe("compact and zone-affine shapes", () => {
  it("compact always has exactly ceil(n/MAX) slices per port map", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.nat(300)), { minLength: 1, maxLength: 15 }),
        fc.constantFrom(1, 7, 50, 100),
        (steps, max) => {
          const names = namer();
          let slices: SliceState[] = [];
          let next = 0;
          let eps: EndpointState[] = [];
          for (const [adds, dropSeed] of steps) {
            eps = eps.filter((_, i) => (i * 7919 + dropSeed) % 5 !== 0);
            for (let i = 0; i < adds; i++) eps.push(ep(next++));
            const { after } = sync(compact, slices, desiredOf(eps), names, max);
            const expected = eps.length === 0 ? 1 : Math.ceil(eps.length / max);
            expect(after).toHaveLength(expected);
            slices = after;
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it("zone-affine: each slice holds one zone; a zone change moves the endpoint", () => {
    const names = namer();
    const zone = (i: number) => (i % 4 === 3 ? undefined : `zone-${i % 3}`);
    const eps = range(0, 300, zone);
    const first = sync(zoneAffine, [], desiredOf(eps), names);
    for (const s of first.after) expect(new Set(s.endpoints.map((e) => e.zone)).size).toBe(1);
    const moved = eps.map((e, i) => (i === 0 ? { ...e, zone: "zone-9" } : e));
    const second = sync(zoneAffine, first.after, desiredOf(moved), names);
    // one update (leaves its zone's slice) + one create (new zone); k8s would do one in-place update
    expect([second.plan.creates.length, second.plan.updates.length, second.plan.deletes.length]).toEqual([1, 1, 0]);
    expect(second.plan.metrics.added).toBe(0);
    expect(second.plan.metrics.removed).toBe(0);
    expect(writes(sync(k8s, first.after, desiredOf(moved), names).plan)).toBe(1);
  });
});

describe("registry", () => {
  it("lists the algorithms under their own names, upstream's first, and rejects unknown names with the allowed ones", () => {
    const names = Object.keys(packingAlgorithms);
    expect(names[0]).toBe("k8s");
    // one line in built-ins.ts per algorithm, none shadowing another's name
    expect(names).toHaveLength(Object.values(builtIns).length);
    for (const name of names) expect(getPackingAlgorithm(name).name).toBe(name);
    expect(getPackingAlgorithm("compact")).toBe(compact);
    expect(() => getPackingAlgorithm("bogus")).toThrow(`unknown packing algorithm "bogus" (allowed: ${names.join(", ")}, or the path of a plugin module)`);
    expect(() => getPackingAlgorithm("toString")).toThrow(/unknown packing algorithm/);
  });

  it("validates options", () => {
    expect(validatePackingOptions("rebalance")).toEqual({ threshold: 0.25, writeBudget: 2 });
    expect(validatePackingOptions("stable-hash", { headroom: 1.5 })).toEqual({ headroom: 1.5 });
    expect(() => validatePackingOptions("rebalance", { writeBudget: 1.5 })).toThrow(/writeBudget.*integer in 0\.\.1000/);
    expect(() => validatePackingOptions("rebalance", { threshold: 2 })).toThrow(/threshold.*0\.\.1/);
    expect(() => validatePackingOptions("stable-hash", { headroom: 0.5 })).toThrow(/headroom/);
    expect(() => validatePackingOptions("compact", { headroom: 1 })).toThrow(/unknown option "headroom".*allowed: none/);
    expect(() => sync(rebalance, [], new Map(), namer(), 100, { budget: 3 })).toThrow(/allowed: threshold, writeBudget/);
  });
});
