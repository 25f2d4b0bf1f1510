/**
 * client-go's rate-limited delaying workqueue, as the Endpoints and EndpointSlice controllers use it, on the
 * simulation clock. Keys are small integers (Service indices).
 *
 * Semantics kept (docs/sources.md §11):
 * - `addAfter(key, d)` keeps the earliest ready time ("update the time only if it would cause the item to be queued
 *   sooner"), so the first pod event of a batch period fixes when the sync runs;
 * - a key already queued is not queued twice; a key added while it is being processed is marked dirty and requeued
 *   when processing ends; no key is processed by two workers at once;
 * - retries: per-item exponential backoff max'ed with an overall token bucket (10 qps, burst 100); after
 *   `maxRetries` failures the key is dropped (until the next event adds it again).
 */
import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import { TokenBucket } from "../../engine/token-bucket.js";

export interface WorkqueueConfig {
  workers: number;
  /** Per-item backoff: base * 2^failures, capped. */
  backoffBase: Micros;
  backoffMax: Micros;
  maxRetries: number;
}

/** Processes a key; must call `queue.done(key, ok)` exactly once when finished (now or later). */
export type SyncHandler = (key: number) => void;

export class Workqueue {
  private readonly readyAt: Float64Array;
  private readonly dirty: Uint8Array;
  private readonly processing: Uint8Array;
  private readonly failures: Int32Array;
  private queue: number[] = [];
  private head = 0;
  private idle: number;
  private readonly overall = new TokenBucket(10, 100); // client-go DefaultControllerRateLimiter's bucket
  private readonly wake: (key: number) => void;
  private readonly dispatch: () => void;
  private dispatchPending = false;
  dropped = 0;
  retries = 0;

  constructor(
    private readonly sim: Simulation,
    keys: number,
    private readonly config: WorkqueueConfig,
    private readonly sync: SyncHandler,
  ) {
    this.readyAt = new Float64Array(keys).fill(Infinity);
    this.dirty = new Uint8Array(keys);
    this.processing = new Uint8Array(keys);
    this.failures = new Int32Array(keys);
    this.idle = config.workers;
    this.wake = (key) => {
      if (this.readyAt[key] <= this.sim.now) {
        this.readyAt[key] = Infinity;
        this.add(key);
      }
    };
    this.dispatch = () => {
      this.dispatchPending = false;
      this.startWorkers();
    };
  }

  add(key: number): void {
    if (this.dirty[key] === 1) return;
    this.dirty[key] = 1;
    if (this.processing[key] === 1) return;
    this.queue.push(key);
    this.wakeWorkers();
  }

  addAfter(key: number, delay: Micros): void {
    if (delay <= 0) {
      this.add(key);
      return;
    }
    const at = this.sim.now + delay;
    if (at < this.readyAt[key]) {
      this.readyAt[key] = at;
      this.sim.schedule(at, this.wake, key);
    }
  }

  /** Ends processing of `key`: a failed sync is retried with backoff, a successful one resets the backoff. */
  done(key: number, ok: boolean): void {
    this.processing[key] = 0;
    this.idle++;
    if (ok) {
      this.failures[key] = 0;
    } else if (this.failures[key] >= this.config.maxRetries) {
      this.failures[key] = 0;
      this.dropped++;
    } else {
      const n = this.failures[key]++;
      const perItem = Math.min(this.config.backoffMax, this.config.backoffBase * 2 ** n);
      const bucket = this.overall.reserve(this.sim.now) - this.sim.now;
      this.retries++;
      this.addAfter(key, Math.max(perItem, bucket));
    }
    if (this.dirty[key] === 1) this.queue.push(key);
    this.wakeWorkers();
  }

  get length(): number {
    return this.queue.length - this.head;
  }

  /**
   * Workers take keys in their own goroutines: after the event that added a key, never inside it, so all the
   * informer events of one instant are in the queue (and coalesced) before a worker syncs.
   */
  private wakeWorkers(): void {
    if (this.dispatchPending || this.idle === 0) return;
    this.dispatchPending = true;
    this.sim.schedule(this.sim.now, this.dispatch);
  }

  private startWorkers(): void {
    while (this.idle > 0 && this.head < this.queue.length) {
      const key = this.queue[this.head++];
      if (this.head > 1024 && this.head * 2 > this.queue.length) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      this.idle--;
      this.processing[key] = 1;
      this.dirty[key] = 0;
      this.sync(key);
    }
  }
}
