// Endpoints placed by a stable hash of their id, so the slice an endpoint lives in does not depend on history.
//
// Placement (a pure function of the desired ids and the bucket count B):
// - hash = FNV-1a 32-bit over the id's UTF-8 bytes, then the murmur3 fmix32 finalizer (FNV's low bits alone are weak
//   for consecutive IPs); home bucket = hash mod B;
// - each bucket keeps its first MAX home endpoints ordered by (hash, id); the rest spill, bucket by bucket in index
//   order, to the next bucket with room (b+1, b+2, ... wrapping). B·MAX ≥ n always, so every endpoint finds room.
// So adding or removing one endpoint touches its home bucket's slice, plus one more slice when that bucket overflows.
//
// Bucket count and hysteresis. Ideal B = ceil(headroom·n/MAX) (at least 1; about 1/headroom = 80% full at the default
// headroom 1.25; the brief's "ceil(n/MAX)·headroom", rounded so that a handful of endpoints gets one slice). The current
// B is the number of this port map's slices: one slice per bucket is kept, empty buckets included, which is what makes
// B recoverable from the slices alone. B is kept while the average fill n/(B·MAX) stays within
// [1/(2·headroom), (1 + 1/headroom)/2] = [40%, 90%] by default; outside it B is reset to the ideal, whose fill
// (≈ 1/headroom) lies inside the band, so a reset cannot immediately trigger another. A change of B rehashes the
// whole port map (most endpoints move): that is the price, paid only when n crosses a band edge.
//
// Bucket ↔ slice: existing slices are matched to buckets by how many of the bucket's endpoints they already hold
// (greedy on overlap, ties by bucket index then input order), then remaining buckets take remaining slices in order;
// extra buckets are created, extra slices deleted. Kept endpoints stay in their slice's order, new ones are appended,
// and a slice whose content and labels do not change is not written.
// The placeholder rule is kept (shared.ts): with no endpoints the Service has one empty slice, as upstream.

import {
  type Claim,
  type FamilyAlgorithm,
  type PortMapContext,
  type PortMapResult,
  claimExisting,
  newSlice,
  reconcileFamily,
  sameEndpoints,
} from "./shared.js";
import type { EndpointState, PackingAlgorithm, SliceState } from "./types.js";

/** FNV-1a 32-bit over the UTF-8 bytes of s, then murmur3's fmix32. Unsigned 32-bit result. */
export function stableHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, 0x01000193);
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      }
    }
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), 0x01000193);
    } else if (c < 0x10000) {
      h = Math.imul(h ^ (0xe0 | (c >> 12)), 0x01000193);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), 0x01000193);
    } else {
      h = Math.imul(h ^ (0xf0 | (c >> 18)), 0x01000193);
      h = Math.imul(h ^ (0x80 | ((c >> 12) & 0x3f)), 0x01000193);
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), 0x01000193);
    }
    h = Math.imul(h ^ (0x80 | (c & 0x3f)), 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Endpoint objects are not changed once made (a change is a new object), so each one's hash is computed once. */
const hashOfEndpoint = new WeakMap<EndpointState, number>();

function hashOf(e: EndpointState): number {
  let h = hashOfEndpoint.get(e);
  if (h === undefined) {
    h = stableHash(e.id);
    hashOfEndpoint.set(e, h);
  }
  return h;
}

/** The bucket count for n endpoints given the current count (see the header for the band). */
export function chooseBucketCount(n: number, current: number, max: number, headroom: number): number {
  if (n === 0) return 0;
  const ideal = Math.max(1, Math.ceil((headroom * n) / max), Math.ceil(n / max));
  if (current === 0) return ideal;
  const capacity = current * max;
  const high = (1 + 1 / headroom) / 2;
  const low = 1 / (2 * headroom);
  if (n > capacity || n > high * capacity) return Math.max(ideal, current + 1);
  if (n < low * capacity && ideal < current) return ideal;
  return current;
}

/** Bucket contents for B buckets of at most max endpoints (B·max ≥ endpoints.length). */
export function placeByHash(endpoints: readonly EndpointState[], buckets: number, max: number): EndpointState[][] {
  return placement(endpoints, buckets, max).buckets;
}

const INDEX_BITS = 2 ** 21;

/**
 * Endpoint indices ordered by (hash, id). Hot: a numeric sort of hash·2^21 + index (exact below 2^53), then the rare
 * runs of equal hashes put in id order.
 */
function orderByHashThenId(indices: number[], hashes: Float64Array, endpoints: readonly EndpointState[]): number[] {
  const byId = (x: number, y: number): number => (endpoints[x].id < endpoints[y].id ? -1 : endpoints[x].id > endpoints[y].id ? 1 : 0);
  if (endpoints.length >= INDEX_BITS) return indices.sort((x, y) => hashes[x] - hashes[y] || byId(x, y));
  const keys = new Float64Array(indices.length);
  for (let k = 0; k < indices.length; k++) keys[k] = hashes[indices[k]] * INDEX_BITS + indices[k];
  keys.sort();
  const out = new Array<number>(keys.length);
  for (let k = 0; k < keys.length; k++) out[k] = keys[k] % INDEX_BITS;
  for (let k = 0; k < out.length; ) {
    let end = k + 1;
    while (end < out.length && hashes[out[end]] === hashes[out[k]]) end++;
    if (end - k > 1) out.splice(k, end - k, ...out.slice(k, end).sort(byId));
    k = end;
  }
  return out;
}

interface Placement {
  buckets: EndpointState[][];
  /** The bucket of each endpoint, by its index in the input. */
  bucketAt: Int32Array;
  /** Endpoints not in their home bucket (hash mod B), with the bucket they went to. */
  spilled: Map<EndpointState, number>;
}

function placement(endpoints: readonly EndpointState[], buckets: number, max: number): Placement {
  if (buckets * max < endpoints.length) throw new Error("stable-hash: bucket capacity below endpoint count");
  const hashes = new Float64Array(endpoints.length);
  const bucketAt = new Int32Array(endpoints.length);
  const homes: number[][] = Array.from({ length: buckets }, () => []);
  for (let i = 0; i < endpoints.length; i++) {
    const h = hashOf(endpoints[i]);
    hashes[i] = h;
    bucketAt[i] = h % buckets;
    homes[h % buckets].push(i);
  }
  const out: EndpointState[][] = [];
  const spill: { i: number; home: number }[] = [];
  for (let b = 0; b < buckets; b++) {
    const list = orderByHashThenId(homes[b], hashes, endpoints);
    const bucket: EndpointState[] = [];
    for (let k = 0; k < list.length; k++) {
      if (k < max) bucket.push(endpoints[list[k]]);
      else spill.push({ i: list[k], home: b });
    }
    out.push(bucket);
  }
  const spilled = new Map<EndpointState, number>();
  for (const { i, home } of spill) {
    let b = (home + 1) % buckets;
    while (out[b].length >= max) b = (b + 1) % buckets;
    out[b].push(endpoints[i]);
    spilled.set(endpoints[i], b);
    bucketAt[i] = b;
  }
  return { buckets: out, bucketAt, spilled };
}

/** For a slice's endpoint list and a bucket count: the bucket every endpoint is home to, or -1 if they differ. */
const homeOfSlice = new WeakMap<readonly EndpointState[], { count: number; bucket: number }>();

function homeBucket(endpoints: readonly EndpointState[], count: number): number {
  const cached = homeOfSlice.get(endpoints);
  if (cached !== undefined && cached.count === count) return cached.bucket;
  let bucket = endpoints.length === 0 ? -1 : hashOf(endpoints[0]) % count;
  for (let k = 1; k < endpoints.length && bucket >= 0; k++) if (hashOf(endpoints[k]) % count !== bucket) bucket = -1;
  homeOfSlice.set(endpoints, { count, bucket });
  return bucket;
}

/**
 * The plan without placing every endpoint, exact when no bucket overflows: when the bucket count stays, every
 * untouched slice holds only endpoints of one home bucket (its own, no other untouched slice's), and no bucket ends
 * above MAX, the full placement spills nothing, so each bucket is exactly its home endpoints: the untouched slice's
 * as they stand plus the desired ones homed there. Only buckets given desired endpoints change. Undefined when the
 * conditions do not hold (the caller places everything).
 */
function incrementalPlan(ctx: PortMapContext, claim: Claim, count: number): PortMapResult | undefined {
  const { existing, desired, max, untouched } = ctx;
  if (untouched === undefined || count !== existing.length || count === 0) return undefined;
  const sliceOfBucket = new Array<number>(count).fill(-1);
  const homeOf = new Array<number>(existing.length).fill(-1);
  for (let j = 0; j < existing.length; j++) {
    if (!untouched.has(existing[j].name)) continue;
    const b = homeBucket(existing[j].endpoints, count);
    if (b < 0 || sliceOfBucket[b] >= 0 || existing[j].endpoints.length > max) return undefined;
    sliceOfBucket[b] = j;
    homeOf[j] = b;
  }
  // desired endpoints by home bucket, in (hash, id) order within a bucket
  const incoming = new Map<number, EndpointState[]>();
  for (const e of desired.values()) {
    const b = hashOf(e) % count;
    let list = incoming.get(b);
    if (list === undefined) incoming.set(b, (list = []));
    list.push(e);
  }
  for (const [b, list] of incoming) {
    const held = sliceOfBucket[b] >= 0 ? existing[sliceOfBucket[b]].endpoints.length : 0;
    if (held + list.length > max) return undefined;
    sortByHashThenId(list);
  }
  // the full plan's matching: overlap-greedy over (bucket, slice) pairs, then the rest in order
  const pairs: { b: number; j: number; overlap: number }[] = [];
  const keptBuckets: (Int32Array | number)[] = [];
  claim.kept.forEach((kept, j) => {
    if (homeOf[j] >= 0) {
      keptBuckets.push(homeOf[j]);
      pairs.push({ b: homeOf[j], j, overlap: kept.length });
      return;
    }
    const bs = new Int32Array(kept.length);
    const per = new Map<number, number>();
    for (let k = 0; k < kept.length; k++) {
      bs[k] = hashOf(kept[k]) % count;
      per.set(bs[k], (per.get(bs[k]) ?? 0) + 1);
    }
    keptBuckets.push(bs);
    for (const [b, overlap] of per) pairs.push({ b, j, overlap });
  });
  const matched = matchBuckets(pairs, count, existing.length);
  const updates: SliceState[] = [];
  existing.forEach((s, idx) => {
    const b = matched.bucketOfSlice[idx];
    const kb = keptBuckets[idx];
    if (typeof kb === "number" && b === kb && !incoming.has(b)) {
      if (!s.labelsMatch) updates.push({ ...s, endpoints: [...s.endpoints], labelsMatch: true });
      return;
    }
    const kept = claim.kept[idx];
    const content: EndpointState[] = [];
    for (let k = 0; k < kept.length; k++) if ((typeof kb === "number" ? kb : kb[k]) === b) content.push(kept[k]);
    // the rest of the bucket in (hash, id) order: an untouched slice's endpoints, then the incoming ones
    const held = new Set(content);
    const owner = sliceOfBucket[b];
    const bucket = [...(owner >= 0 && owner !== idx ? existing[owner].endpoints : []), ...(incoming.get(b) ?? [])];
    if (owner >= 0 && owner !== idx) sortByHashThenId(bucket);
    for (const e of bucket) if (!held.has(e)) content.push(e);
    if (!sameEndpoints(s.endpoints, content) || !s.labelsMatch) updates.push({ ...s, endpoints: content, labelsMatch: true });
  });
  return { creates: [], updates, deletes: [] };
}

/** Sorts endpoints by (hash, id) in place, hashing each once. */
function sortByHashThenId(list: EndpointState[]): void {
  if (list.length < 2) return;
  const hashes = new Float64Array(list.length);
  for (let k = 0; k < list.length; k++) hashes[k] = hashOf(list[k]);
  const order = orderByHashThenId(Array.from(list.keys()), hashes, list);
  const sorted = order.map((k) => list[k]);
  for (let k = 0; k < list.length; k++) list[k] = sorted[k];
}

/** Overlap-greedy matching of buckets to slices (ties by bucket, then slice), then the rest in index order. */
function matchBuckets(pairs: { b: number; j: number; overlap: number }[], count: number, slices: number): { sliceOfBucket: number[]; bucketOfSlice: number[] } {
  pairs.sort((x, y) => y.overlap - x.overlap || x.b - y.b || x.j - y.j);
  const sliceOfBucket = new Array<number>(count).fill(-1);
  const bucketOfSlice = new Array<number>(slices).fill(-1);
  for (const { b, j } of pairs) {
    if (sliceOfBucket[b] >= 0 || bucketOfSlice[j] >= 0) continue;
    sliceOfBucket[b] = j;
    bucketOfSlice[j] = b;
  }
  let j = 0;
  for (let b = 0; b < count; b++) {
    if (sliceOfBucket[b] >= 0) continue;
    while (j < slices && bucketOfSlice[j] >= 0) j++;
    if (j >= slices) break;
    sliceOfBucket[b] = j;
    bucketOfSlice[j] = b;
  }
  return { sliceOfBucket, bucketOfSlice };
}

export function stableHashPackPortMap(ctx: PortMapContext, headroom: number): PortMapResult {
  const { existing, desired, max, addressType, portKey, untouched } = ctx;
  const claim = ctx.claim ?? claimExisting(existing, desired, untouched);
  let untouchedEndpoints = 0;
  if (untouched !== undefined) for (const s of existing) if (untouched.has(s.name)) untouchedEndpoints += s.endpoints.length;
  const fast = incrementalPlan(ctx, claim, chooseBucketCount(desired.size + untouchedEndpoints, existing.length, max, headroom));
  if (fast !== undefined) return fast;
  // Placement is a function of the set of endpoints, so slices known to be unchanged (untouched) contribute their
  // endpoints as they stand, without a lookup each: the plan is the one the whole desired set gives.
  const all = [...desired.values()];
  const offsetOf = new Map<number, number>(); // untouched slice -> where its endpoints start in `all`
  existing.forEach((s, j) => {
    if (untouched === undefined || !untouched.has(s.name)) return;
    offsetOf.set(j, all.length);
    for (const e of s.endpoints) all.push(e);
  });
  const n = all.length;
  const count = chooseBucketCount(n, existing.length, max, headroom);
  const { buckets, bucketAt, spilled } = placement(all, count, max);

  // overlap-greedy matching of buckets to existing slices
  const pairs: { b: number; j: number; overlap: number }[] = [];
  const keptBuckets: Int32Array[] = [];
  claim.kept.forEach((kept, j) => {
    // an untouched slice's endpoints were placed from where they stand; others are the desired objects placed,
    // whose bucket is home unless they spilled
    const offset = offsetOf.get(j);
    const bs = offset !== undefined ? bucketAt.subarray(offset, offset + kept.length) : new Int32Array(kept.length);
    if (offset === undefined) for (let k = 0; k < kept.length; k++) bs[k] = spilled.get(kept[k]) ?? hashOf(kept[k]) % count;
    keptBuckets.push(bs);
    let single = true;
    for (let k = 1; k < bs.length && single; k++) single = bs[k] === bs[0];
    if (single) {
      if (bs.length > 0) pairs.push({ b: bs[0], j, overlap: bs.length });
      return;
    }
    const per = new Map<number, number>();
    for (const b of bs) per.set(b, (per.get(b) ?? 0) + 1);
    for (const [b, overlap] of per) pairs.push({ b, j, overlap });
  });
  const { sliceOfBucket, bucketOfSlice } = matchBuckets(pairs, count, existing.length);

  const creates: SliceState[] = [];
  const updates: SliceState[] = [];
  const deletes: SliceState[] = [];
  for (let b = 0; b < count; b++) {
    if (sliceOfBucket[b] < 0) creates.push(newSlice(addressType, portKey, [...buckets[b]]));
  }
  existing.forEach((s, idx) => {
    const b = bucketOfSlice[idx];
    if (b < 0) {
      deletes.push(s);
      return;
    }
    const kept = claim.kept[idx];
    const bs = keptBuckets[idx];
    const content: EndpointState[] = [];
    for (let k = 0; k < kept.length; k++) if (bs[k] === b) content.push(kept[k]);
    if (content.length < buckets[b].length) {
      const held = new Set(content);
      for (const e of buckets[b]) if (!held.has(e)) content.push(e);
    }
    if (!sameEndpoints(s.endpoints, content) || !s.labelsMatch) {
      updates.push({ ...s, endpoints: content, labelsMatch: true });
    }
  });
  return { creates, updates, deletes };
}

const family: FamilyAlgorithm = {
  name: "stable-hash",
  options: {
    headroom: {
      default: 1.25,
      min: 1,
      max: 4,
      integer: false,
      description: "buckets = ceil(headroom·n/MAX): 1/headroom is the target fill; the band is [1/(2h), (1+1/h)/2]",
    },
  },
  acceptsUntouched: true,
  packPortMap: (ctx, options) => stableHashPackPortMap(ctx, options.headroom),
};

export const stableHashAlgorithm: PackingAlgorithm = {
  name: "stable-hash",
  description: "Endpoints placed by a hash of their id into ~n·headroom/MAX buckets (one slice each), with hysteresis on the count",
  options: family.options,
  acceptsUntouched: true,
  reconcile: (input) => reconcileFamily(input, family),
};
