/**
 * The event list: a calendar queue (R. Brown, "Calendar queues", CACM 31(10), 1988) over typed arrays.
 *
 * Events are ordered by (time, seq), seq being a global insertion counter, so ties never depend on the structure's
 * internals. Each bucket is a linked list kept sorted by (time, seq); since a new event always has the largest seq,
 * it is appended at the tail in O(1) whenever its time is >= the tail's, which makes same-time bursts O(1) too.
 * Dequeue scans buckets in calendar order from the last dequeued one. The bucket count follows the number of pending
 * events (doubling/halving) and the bucket width is re-estimated from the separation of the earliest events on every
 * resize, and also when the measured cost per operation drifts up (the distribution of delays changed).
 *
 * Why not a binary heap: `npm run bench:engine` measures this against a typed-array binary heap and
 * fastpriorityqueue on the PHOLD workload; the heap's O(log n) unpredictable branches cost ~2x at 10^4 pending.
 *
 * Nodes are slots in parallel typed arrays, recycled through a free list: steady state allocates nothing.
 * Cancelled events stay in place as tombstones (handler null) and are dropped when they reach the front.
 */
import type { Micros } from "./time.js";
import { growFloat64, growInt32 } from "./typed-arrays.js";

export type Handler = (arg: number) => void;

export const NIL = -1;
/** Event ids pack (seq, slot) into one exact integer: at most 2^22 pending events, 2^31 scheduled in all. */
export const SLOT_LIMIT = 2 ** 22;
export const SEQ_LIMIT = 2 ** 31;

const MIN_BUCKETS = 16;
/** Re-estimate the width when a window of operations averages more than this many steps per operation. */
const MAX_WORK_PER_OP = 8;
const WIDTH_SAMPLE = 64;

export class EventList {
  // Node storage, indexed by slot.
  time: Float64Array<ArrayBuffer>;
  seq: Float64Array<ArrayBuffer>;
  next: Int32Array<ArrayBuffer>;
  prev: Int32Array<ArrayBuffer>;
  fn: (Handler | null)[];
  arg: Float64Array<ArrayBuffer>;
  private freeSlots: Int32Array;
  private freeCount: number;

  // Calendar.
  private nb = MIN_BUCKETS;
  private nbInv = 1 / MIN_BUCKETS;
  /** Bucket width, a power of two so that t / width and q mod nb are exact multiplications. */
  private width: Micros = 1;
  private widthInv = 1;
  private head: Int32Array;
  private tail: Int32Array;
  private lastBucket = 0;
  private bucketTop: Micros = 1;
  /** The scan position: <= every pending event and every future insert (last dequeued or rewound-to time). */
  private floor: Micros = 0;

  /** Nodes in the calendar, tombstones included. */
  size = 0;
  private nextSeq = 0;

  // Cost accounting for adaptive re-width: extra steps (buckets skipped, list nodes walked) per dequeue.
  private work = 0;
  private ops = 0;
  private checkAt = 4 * MIN_BUCKETS + 1024;
  private shrinkBelow = 0;

  constructor(initialCapacity = 1024) {
    const cap = Math.max(16, initialCapacity);
    this.time = new Float64Array(cap);
    this.seq = new Float64Array(cap).fill(-1);
    this.next = new Int32Array(cap);
    this.prev = new Int32Array(cap);
    this.fn = new Array<Handler | null>(cap).fill(null);
    this.arg = new Float64Array(cap);
    this.freeSlots = new Int32Array(cap);
    for (let i = 0; i < cap; i++) this.freeSlots[i] = cap - 1 - i;
    this.freeCount = cap;
    this.head = new Int32Array(this.nb).fill(NIL);
    this.tail = new Int32Array(this.nb).fill(NIL);
  }

  /** Adds an event; `at` must be >= the time of every event removed so far. Returns its slot. */
  push(at: Micros, fn: Handler, arg: number): number {
    const seq = this.nextSeq++;
    if (seq >= SEQ_LIMIT) throw new RangeError(`more than ${SEQ_LIMIT} events scheduled in one simulation`);
    if (this.freeCount === 0) this.growNodes();
    const n = this.freeSlots[--this.freeCount];
    this.time[n] = at;
    this.seq[n] = seq;
    this.fn[n] = fn;
    this.arg[n] = arg;
    this.insert(n);
    if (++this.size > 2 * this.nb) this.resize(this.nb * 2);
    return n;
  }

  /** The id of the event in slot n, for `cancel`: (seq, slot) packed into one exact integer. */
  idOf(n: number): number {
    return this.seq[n] * SLOT_LIMIT + n;
  }

  /** Marks a pending event as cancelled. False if the id is not pending. */
  cancel(id: number): boolean {
    const slot = id % SLOT_LIMIT;
    const seq = (id - slot) / SLOT_LIMIT;
    if (slot >= this.seq.length || this.seq[slot] !== seq || this.fn[slot] === null) return false;
    this.fn[slot] = null;
    return true;
  }

  /**
   * Removes the earliest node and returns its slot, or NIL when empty. The caller reads time/fn/arg of the slot and
   * must then call `release(slot)`.
   */
  popMin(): number {
    if (this.size === 0) return NIL;
    const head = this.head;
    const time = this.time;
    const nb = this.nb;
    const w = this.width;
    let i = this.lastBucket;
    let top = this.bucketTop;
    for (let k = 0; k < nb; k++) {
      const h = head[i];
      if (h !== NIL && time[h] < top) {
        this.lastBucket = i;
        this.bucketTop = top;
        this.floor = time[h];
        this.unlinkHead(i, h);
        this.work += k;
        if (++this.ops >= this.checkAt) this.checkCost();
        return h;
      }
      i = i + 1 === nb ? 0 : i + 1;
      top += w;
    }
    // Nothing due within one calendar year: find the earliest head directly.
    let best = NIL;
    let bestBucket = 0;
    for (let j = 0; j < nb; j++) {
      const h = head[j];
      if (h !== NIL && (best === NIL || time[h] < time[best] || (time[h] === time[best] && this.seq[h] < this.seq[best]))) {
        best = h;
        bestBucket = j;
      }
    }
    this.lastBucket = bestBucket;
    this.bucketTop = (Math.floor(time[best] * this.widthInv) + 1) * w;
    this.floor = time[best];
    this.unlinkHead(bestBucket, best);
    this.work += 2 * nb;
    if (++this.ops >= this.checkAt) this.checkCost();
    return best;
  }

  /** Puts back the node just returned by popMin (it is still the earliest). */
  unpop(n: number): void {
    const b = this.bucketOf(this.time[n]);
    const h = this.head[b];
    this.next[n] = h;
    this.prev[n] = NIL;
    if (h === NIL) this.tail[b] = n;
    else this.prev[h] = n;
    this.head[b] = n;
    this.size++;
  }

  /**
   * Moves the dequeue scan to time t, which must be <= every pending event and every future insert, e.g. when the
   * clock advanced to `until` without a pop.
   */
  rewindTo(t: Micros): void {
    this.floor = t;
    this.lastBucket = this.bucketOf(t);
    this.bucketTop = (Math.floor(t * this.widthInv) + 1) * this.width;
  }

  release(n: number): void {
    this.fn[n] = null;
    this.seq[n] = -1;
    this.freeSlots[this.freeCount++] = n;
    if (this.size < this.shrinkBelow) this.resize(this.nb >>> 1);
  }

  private bucketOf(t: Micros): number {
    const q = Math.floor(t * this.widthInv);
    return q - Math.floor(q * this.nbInv) * this.nb;
  }

  private unlinkHead(b: number, h: number): void {
    const nx = this.next[h];
    this.head[b] = nx;
    if (nx === NIL) this.tail[b] = NIL;
    else this.prev[nx] = NIL;
    this.size--;
  }

  private insert(n: number): void {
    const time = this.time;
    const seq = this.seq;
    const t = time[n];
    const s = seq[n];
    const b = this.bucketOf(t);
    // Walk back from the tail past the events that come after (t, s).
    let after = NIL;
    let before = this.tail[b];
    let steps = 0;
    while (before !== NIL && (time[before] > t || (time[before] === t && seq[before] > s))) {
      after = before;
      before = this.prev[before];
      steps++;
    }
    this.prev[n] = before;
    this.next[n] = after;
    if (before === NIL) this.head[b] = n;
    else this.next[before] = n;
    if (after === NIL) this.tail[b] = n;
    else this.prev[after] = n;
    this.work += steps;
  }

  /** Every window of dequeues: if buckets scanned plus list steps walked per dequeue drifted up, re-estimate. */
  private checkCost(): void {
    const perOp = this.work / this.ops;
    this.work = 0;
    this.ops = 0;
    if (perOp > MAX_WORK_PER_OP) this.resize(this.nb);
  }

  /** Rebuilds the calendar with `buckets` buckets and a width estimated from the earliest pending events. */
  private resize(buckets: number): void {
    const nodes = new Int32Array(this.size);
    let k = 0;
    for (let j = 0; j < this.nb; j++) for (let c = this.head[j]; c !== NIL; c = this.next[c]) nodes[k++] = c;
    const time = this.time;
    const seq = this.seq;
    const order = Array.from(nodes).sort((a, b) => time[a] - time[b] || seq[a] - seq[b]);
    this.width = this.estimateWidth(order);
    this.widthInv = 1 / this.width;
    this.nb = buckets;
    this.nbInv = 1 / buckets;
    this.checkAt = 4 * buckets + 1024;
    this.shrinkBelow = buckets > MIN_BUCKETS ? buckets >>> 2 : 0;
    this.head = new Int32Array(buckets).fill(NIL);
    this.tail = new Int32Array(buckets).fill(NIL);
    for (const n of order) this.insert(n); // sorted, so every insert is a tail append
    this.rewindTo(this.floor);
    this.work = 0;
    this.ops = 0;
  }

  /**
   * Brown's rule: three times the average separation of the earliest events, ignoring separations more than twice
   * the sample's mean (outliers), rounded to a power of two. Equal times are skipped so a same-time burst does not
   * collapse the width.
   */
  private estimateWidth(order: number[]): Micros {
    const time = this.time;
    const gaps: number[] = [];
    for (let i = 1; i < order.length && gaps.length < WIDTH_SAMPLE; i++) {
      const d = time[order[i]] - time[order[i - 1]];
      if (d > 0) gaps.push(d);
    }
    if (gaps.length === 0) return this.width;
    let mean = 0;
    for (const g of gaps) mean += g;
    mean /= gaps.length;
    let total = 0;
    let count = 0;
    for (const g of gaps) {
      if (g <= 2 * mean) {
        total += g;
        count++;
      }
    }
    const sep = count > 0 ? total / count : mean;
    return 2 ** Math.max(0, Math.round(Math.log2(3 * sep)));
  }

  private growNodes(): void {
    const old = this.time.length;
    const cap = old * 2;
    if (cap > SLOT_LIMIT) throw new RangeError(`more than ${SLOT_LIMIT} events pending at once`);
    this.time = growFloat64(this.time, cap);
    this.seq = growFloat64(this.seq, cap, -1);
    this.arg = growFloat64(this.arg, cap);
    this.next = growInt32(this.next, cap);
    this.prev = growInt32(this.prev, cap);
    for (let i = old; i < cap; i++) this.fn.push(null);
    const f = new Int32Array(cap);
    for (let i = 0; i < cap - old; i++) f[i] = cap - 1 - i;
    this.freeSlots = f;
    this.freeCount = cap - old;
  }
}
