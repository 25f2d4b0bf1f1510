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
  portMapSize,
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

/**
 * Bucket contents for B buckets of at most max endpoints (B·max ≥ endpoints.length), by the rule in the header,
 * placing every endpoint: the reference planFromHomes is held to.
 */
export function placeByHash(endpoints: readonly EndpointState[], buckets: number, max: number): EndpointState[][] {
  if (buckets * max < endpoints.length) throw new Error("stable-hash: bucket capacity below endpoint count");
  const hashes = new Float64Array(endpoints.length);
  const homes: number[][] = Array.from({ length: buckets }, () => []);
  for (let i = 0; i < endpoints.length; i++) {
    const h = hashOf(endpoints[i]);
    hashes[i] = h;
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
  for (const { i, home } of spill) {
    let b = (home + 1) % buckets;
    while (out[b].length >= max) b = (b + 1) % buckets;
    out[b].push(endpoints[i]);
  }
  return out;
}

/** For a slice's endpoint list and a bucket count: each endpoint's home bucket, and the distinct ones with counts. */
interface SliceHomes {
  count: number;
  homes: Int32Array;
  buckets: number[];
  sizes: number[];
}

/** An untouched slice keeps its endpoint array, so its homes are computed once per bucket count. */
const homesOfSlice = new WeakMap<readonly EndpointState[], SliceHomes>();

function sliceHomes(endpoints: readonly EndpointState[], count: number): SliceHomes {
  const cached = homesOfSlice.get(endpoints);
  if (cached !== undefined && cached.count === count) return cached;
  const homes = new Int32Array(endpoints.length);
  for (let k = 0; k < endpoints.length; k++) homes[k] = hashOf(endpoints[k]) % count;
  return rememberHomes(endpoints, count, homes);
}

/** Records the homes of an endpoint array (one the plan writes is an untouched slice of later syncs). */
function rememberHomes(endpoints: readonly EndpointState[], count: number, homes: Int32Array): SliceHomes {
  const buckets: number[] = [];
  const sizes: number[] = [];
  for (let k = 0; k < homes.length; k++) {
    const b = homes[k];
    const at = buckets.indexOf(b);
    if (at >= 0) sizes[at]++;
    else {
      buckets.push(b);
      sizes.push(1);
    }
  }
  const out = { count, homes, buckets, sizes };
  homesOfSlice.set(endpoints, out);
  return out;
}

/**
 * The plan for `count` buckets, computed from per-bucket home counts rather than by placing every endpoint (placeByHash
 * above, which tests hold it to): a bucket's contents are its home endpoints, the first MAX by (hash, id) if it has
 * more, then what spills into it. Only overflowing buckets are sorted, and a bucket is listed only for a slice whose
 * contents change or a new slice. Untouched slices contribute their endpoints' homes, cached per endpoint array, so
 * while the count stays a sync costs O(slices + changed endpoints + overflowing buckets), not O(n log n).
 */
function planFromHomes(ctx: PortMapContext, claim: Claim, count: number): PortMapResult {
  const { existing, desired, max, untouched, addressType, portKey } = ctx;
  const homeCount = new Int32Array(count);
  // the endpoints homed at each bucket: desired ones, those claimed as they stand, and untouched slices' (ids are
  // unique and every bucket is ordered by (hash, id), so the order they are gathered in does not matter)
  const incoming: (EndpointState[] | undefined)[] = new Array(count);
  const incomingFrom: (number[] | undefined)[] = new Array(count); // the slice keeping each (-1: none)
  const add = (e: EndpointState, b: number, from: number): void => {
    homeCount[b]++;
    const list = incoming[b];
    if (list === undefined) {
      incoming[b] = [e];
      incomingFrom[b] = [from];
    } else {
      list.push(e);
      incomingFrom[b]!.push(from);
    }
  };
  // desired endpoints no slice claims are hashed; the others take their home from the slice that keeps them (a
  // subsequence of its endpoints, by id), whose homes are cached per endpoint array
  for (const e of desired.values()) if (!claim.claimed.has(e.id)) add(e, hashOf(e) % count, -1);
  const keptHomes: Int32Array[] = new Array(existing.length);
  for (let j = 0; j < existing.length; j++) {
    const kept = claim.kept[j];
    if (kept.length === 0 || untouched?.has(existing[j].name)) continue;
    const endpoints = existing[j].endpoints;
    const own = sliceHomes(endpoints, count);
    const homes = new Int32Array(kept.length);
    let i = 0;
    for (let k = 0; k < kept.length; k++) {
      const e = kept[k];
      while (i < endpoints.length && endpoints[i] !== e && endpoints[i].id !== e.id) i++;
      homes[k] = i < endpoints.length ? own.homes[i++] : hashOf(e) % count;
      add(e, homes[k], j);
    }
    keptHomes[j] = homes;
  }
  const homesOf: (SliceHomes | undefined)[] = new Array(existing.length);
  const holders: (number[] | undefined)[] = new Array(count); // bucket -> untouched slices holding endpoints homed there
  for (let j = 0; j < existing.length; j++) {
    if (untouched === undefined || !untouched.has(existing[j].name)) continue;
    const h = sliceHomes(existing[j].endpoints, count);
    homesOf[j] = h;
    for (let i = 0; i < h.buckets.length; i++) {
      const b = h.buckets[i];
      homeCount[b] += h.sizes[i];
      const list = holders[b];
      if (list === undefined) holders[b] = [j];
      else list.push(j);
    }
  }
  /** The endpoints homed at bucket b in (hash, id) order, leaving out those slice `except` keeps. */
  const homesAt = (b: number, except = -2): EndpointState[] => {
    const out: EndpointState[] = [];
    const list = incoming[b] ?? [];
    const from = incomingFrom[b] ?? [];
    for (let k = 0; k < list.length; k++) if (from[k] !== except) out.push(list[k]);
    for (const j of holders[b] ?? []) {
      if (j === except) continue;
      const { homes } = homesOf[j]!;
      const endpoints = existing[j].endpoints;
      for (let k = 0; k < endpoints.length; k++) if (homes[k] === b) out.push(endpoints[k]);
    }
    sortByHashThenId(out);
    return out;
  };

  // overflowing buckets keep their first MAX; the rest spill, bucket by bucket, to the next bucket with room
  const occupancy = new Int32Array(count);
  const kept: (EndpointState[] | undefined)[] = new Array(count); // an overflowing bucket's first MAX
  const spillIns: (EndpointState[] | undefined)[] = new Array(count);
  const spilledTo = new Map<EndpointState, number>();
  const spilledFrom = new Map<EndpointState, number>();
  for (let b = 0; b < count; b++) occupancy[b] = homeCount[b] < max ? homeCount[b] : max;
  for (let b = 0; b < count; b++) {
    if (homeCount[b] <= max) continue;
    const all = homesAt(b);
    kept[b] = all.slice(0, max);
    for (let k = max; k < all.length; k++) {
      let t = (b + 1) % count;
      while (occupancy[t] >= max) t = (t + 1) % count;
      occupancy[t]++;
      const list = spillIns[t];
      if (list === undefined) spillIns[t] = [all[k]];
      else list.push(all[k]);
      spilledTo.set(all[k], t);
      spilledFrom.set(all[k], b);
    }
  }
  const bucketContents = (b: number): EndpointState[] => {
    const homes = kept[b] ?? homesAt(b);
    return spillIns[b] === undefined ? homes : [...homes, ...spillIns[b]];
  };
  const bucketOf = (e: EndpointState, home: number): number => (spilledTo.size === 0 ? home : (spilledTo.get(e) ?? home));
  /**
   * Bucket b's endpoints that slice idx does not keep (`content`: those it keeps there), in bucket order. Below MAX a
   * bucket's homes are all its own, so slice idx keeps exactly those it is the source of, and only the others are
   * sorted.
   */
  const missing = (b: number, idx: number, content: readonly EndpointState[]): EndpointState[] => {
    let held: Set<EndpointState> | undefined;
    const isHeld = (e: EndpointState): boolean => (held ??= new Set(content)).has(e);
    const out: EndpointState[] = [];
    if (kept[b] !== undefined) {
      for (const e of kept[b]) if (!isHeld(e)) out.push(e);
    } else out.push(...homesAt(b, idx));
    for (const e of spillIns[b] ?? []) if (!isHeld(e)) out.push(e);
    return out;
  };
  const homeIn = (e: EndpointState, b: number): number => (spilledFrom.size === 0 ? b : (spilledFrom.get(e) ?? b));

  // the full plan's matching: overlap-greedy over (bucket, slice) pairs, then the rest in order
  const pairs: { b: number; j: number; overlap: number }[] = [];
  const keptBuckets: Int32Array[] = [];
  const onlyBucket = new Int32Array(existing.length).fill(-1); // the one bucket all of a slice's kept endpoints are in
  for (let j = 0; j < existing.length; j++) {
    const h = homesOf[j];
    if (h?.buckets.every((b) => homeCount[b] <= max)) {
      // no endpoint of this slice spilled: every one is in its home bucket
      keptBuckets.push(h.homes);
      if (h.buckets.length === 1) onlyBucket[j] = h.buckets[0];
      for (let i = 0; i < h.buckets.length; i++) pairs.push({ b: h.buckets[i], j, overlap: h.sizes[i] });
      continue;
    }
    const list = claim.kept[j];
    const bs = new Int32Array(list.length);
    const per = new Map<number, number>();
    for (let k = 0; k < list.length; k++) {
      bs[k] = bucketOf(list[k], h !== undefined ? h.homes[k] : keptHomes[j][k]);
      per.set(bs[k], (per.get(bs[k]) ?? 0) + 1);
    }
    keptBuckets.push(bs);
    if (per.size === 1) onlyBucket[j] = bs[0];
    for (const [b, overlap] of per) pairs.push({ b, j, overlap });
  }
  const { sliceOfBucket, bucketOfSlice } = matchBuckets(pairs, count, existing.length);

  const creates: SliceState[] = [];
  const updates: SliceState[] = [];
  const deletes: SliceState[] = [];
  for (let b = 0; b < count; b++) {
    if (sliceOfBucket[b] < 0) creates.push(newSlice(addressType, portKey, [...bucketContents(b)]));
  }
  for (let idx = 0; idx < existing.length; idx++) {
    const s = existing[idx];
    const b = bucketOfSlice[idx];
    if (b < 0) {
      deletes.push(s);
      continue;
    }
    const list = claim.kept[idx];
    const bs = keptBuckets[idx];
    const kh = homesOf[idx]?.homes ?? keptHomes[idx];
    if (onlyBucket[idx] === b && list.length === occupancy[b]) {
      // the slice keeps exactly its bucket, in its own order (an untouched slice: unchanged)
      if (!sameEndpoints(s.endpoints, list) || !s.labelsMatch) {
        const content = [...list];
        rememberHomes(content, count, kh);
        updates.push({ ...s, endpoints: content, labelsMatch: true });
      }
      continue;
    }
    const content: EndpointState[] = [];
    const homes: number[] = [];
    for (let k = 0; k < list.length; k++) {
      if (bs[k] !== b) continue;
      content.push(list[k]);
      homes.push(kh[k]);
    }
    if (content.length < occupancy[b]) {
      for (const e of missing(b, idx, content)) {
        content.push(e);
        homes.push(homeIn(e, b));
      }
    }
    if (!sameEndpoints(s.endpoints, content) || !s.labelsMatch) {
      rememberHomes(content, count, Int32Array.from(homes));
      updates.push({ ...s, endpoints: content, labelsMatch: true });
    }
  }
  return { creates, updates, deletes };
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
  const { existing, desired, max, untouched } = ctx;
  const claim = ctx.claim ?? claimExisting(existing, desired, untouched, ctx.claimAsIs);
  return planFromHomes(ctx, claim, chooseBucketCount(portMapSize(ctx, claim), existing.length, max, headroom));
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
  acceptsAsIs: true,
  packPortMap: (ctx, options) => stableHashPackPortMap(ctx, options.headroom),
};

export const stableHashAlgorithm: PackingAlgorithm = {
  name: "stable-hash",
  description: "Endpoints placed by a hash of their id into ~n·headroom/MAX buckets (one slice each), with hysteresis on the count",
  options: family.options,
  acceptsUntouched: true,
  acceptsAsIs: true,
  reconcile: (input) => reconcileFamily(input, family),
};
