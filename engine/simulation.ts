import { EventList, NIL, type Handler } from "./event-list.js";
import type { Micros } from "./time.js";

export type { Handler } from "./event-list.js";

/** Identifies a scheduled event for `cancel`. */
export type EventId = number;

export interface RunOptions {
  /** Process events with time <= until, then leave `now` at `until`. Default: until the event list is empty. */
  until?: Micros;
  /** Called every `progressEvery` events with the current simulated time. */
  onProgress?: (now: Micros) => void;
  progressEvery?: number;
}

export interface RunResult {
  /** Events processed so far in this simulation (cancelled events not counted). */
  events: number;
  now: Micros;
  /** true when the run ended because the event list was empty. */
  drained: boolean;
}

/**
 * The deterministic discrete-event core: a clock in integer microseconds and an event list ordered by
 * (time, insertion seq). Handlers are plain functions called with one number (a node id, an object index), so the
 * hot path allocates no closures and no promises.
 */
export class Simulation {
  /** Current simulated time, µs. */
  now: Micros = 0;
  private readonly events: EventList;
  private processed = 0;
  private cancelled = 0;
  private stopped = false;

  constructor(initialCapacity = 1024) {
    this.events = new EventList(initialCapacity);
  }

  get eventsProcessed(): number {
    return this.processed;
  }

  /** Events scheduled and neither fired nor cancelled. */
  get pending(): number {
    return this.events.size - this.cancelled;
  }

  /**
   * Schedules `fn(arg)` at absolute time `at` (µs, >= now). Returns nothing: a fire-and-forget event costs no
   * allocation (an id is a number beyond V8's small-integer range). Use `scheduleCancellable` for an id.
   */
  schedule(at: Micros, fn: Handler, arg = 0): void {
    if (!(at >= this.now) || at === Infinity) {
      throw new RangeError(`cannot schedule at ${at} µs: must be a finite time >= now (${this.now} µs)`);
    }
    this.events.push(at, fn, arg);
  }

  /** Schedules `fn(arg)` after `delay` µs. */
  after(delay: Micros, fn: Handler, arg = 0): void {
    this.schedule(this.now + delay, fn, arg);
  }

  /** Like `schedule`, returning an id for `cancel`. */
  scheduleCancellable(at: Micros, fn: Handler, arg = 0): EventId {
    if (!(at >= this.now) || at === Infinity) {
      throw new RangeError(`cannot schedule at ${at} µs: must be a finite time >= now (${this.now} µs)`);
    }
    return this.events.idOf(this.events.push(at, fn, arg));
  }

  /** Like `after`, returning an id for `cancel`. */
  afterCancellable(delay: Micros, fn: Handler, arg = 0): EventId {
    return this.scheduleCancellable(this.now + delay, fn, arg);
  }

  /** Cancels a pending event. Returns false if it already fired or was cancelled. */
  cancel(id: EventId): boolean {
    if (!this.events.cancel(id)) return false;
    this.cancelled++;
    return true;
  }

  /** Ends the current `run` once the running handler returns. */
  stop(): void {
    this.stopped = true;
  }

  run(options: RunOptions = {}): RunResult {
    const until = options.until ?? Infinity;
    if (until < this.now) throw new RangeError(`run until ${until} µs is before now (${this.now} µs)`);
    const onProgress = options.onProgress;
    const progressEvery = Math.max(1, options.progressEvery ?? 1 << 16);
    let nextProgress = this.processed + progressEvery;
    const ev = this.events;
    this.stopped = false;
    let drained = false;
    for (;;) {
      const n = ev.popMin();
      if (n === NIL) {
        drained = true;
        break;
      }
      const t = ev.time[n];
      if (t > until) {
        ev.unpop(n);
        break;
      }
      const fn = ev.fn[n];
      const arg = ev.arg[n];
      ev.release(n);
      if (fn === null) {
        this.cancelled--;
        continue;
      }
      this.now = t;
      this.processed++;
      fn(arg);
      if (this.stopped) break;
      if (onProgress !== undefined && this.processed >= nextProgress) {
        nextProgress = this.processed + progressEvery;
        onProgress(this.now);
      }
    }
    if (!this.stopped && until !== Infinity && this.now < until) {
      this.now = until;
      ev.rewindTo(until);
    }
    return { events: this.processed, now: this.now, drained };
  }
}
