import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import type { Cluster, Service } from "../cluster/cluster.js";
import type { ObjectBytes } from "../object-bytes.js";
import { ApiClient } from "./api-client.js";
import { TokenBucket } from "../../engine/token-bucket.js";
import { Workqueue } from "./workqueue.js";

export interface ControllerCounters {
  syncs: number;
  failedSyncs: number;
  creates: number;
  updates: number;
  deletes: number;
  rejected: number;
  endpointsAdded: number;
  endpointsRemoved: number;
  maxObjectBytes: number;
}

export type EndpointsKind = "endpointslices" | "endpoints";

/** What the endpoints controllers hand to the rest of the model when they write. */
export interface WriteSink {
  /** A write (or delete) committed: publish its watch event; returns the change's index in the watch log. */
  committed(svc: Service, bytes: ObjectBytes, trigger: number, kind: EndpointsKind, deleted?: boolean): number;
  /** One of the Service's objects now weighs `after` instead of `before` (undefined: absent), for relist sizes. */
  objectChanged(svc: Service, kind: EndpointsKind, before: ObjectBytes | undefined, after: ObjectBytes | undefined): void;
}

export interface ControllerQueueConfig {
  workers: number;
  qps: number;
  burst: number;
  writeLatency: Micros;
  /** CPU time of a sync before its first call: base + per endpoint of the Service (an assumption). */
  syncBase: Micros;
  syncPerEndpoint: number;
}

/**
 * What the Endpoints and EndpointSlice controllers share: a workqueue keyed by Service index with the controller's
 * retry backoff, the rate-limited client, which Services exist yet, and the trigger-time tracker: the trigger a sync
 * writes is the oldest pod change not yet programmed (docs/sources.md §15.2: when changes are batched the oldest
 * trigger is kept).
 */
export abstract class ServiceController {
  readonly counters: ControllerCounters = {
    syncs: 0,
    failedSyncs: 0,
    creates: 0,
    updates: 0,
    deletes: 0,
    rejected: 0,
    endpointsAdded: 0,
    endpointsRemoved: 0,
    maxObjectBytes: 0,
  };
  protected readonly queue: Workqueue;
  protected readonly client: ApiClient;
  protected readonly present: Uint8Array;
  private readonly pendingTrigger: Float64Array;

  constructor(
    protected readonly sim: Simulation,
    protected readonly cluster: Cluster,
    config: ControllerQueueConfig,
    backoffBase: Micros,
  ) {
    const n = cluster.services.length;
    this.present = new Uint8Array(n).fill(1);
    this.pendingTrigger = new Float64Array(n).fill(Number.NaN);
    // docs/sources.md §11: per-item backoff base x2 up to 1000 s, maxRetries 15
    this.queue = new Workqueue(sim, n, { workers: config.workers, backoffBase, backoffMax: 1_000_000_000, maxRetries: 15 }, (key) => this.sync(key));
    this.client = new ApiClient(sim, new TokenBucket(config.qps, config.burst), config.writeLatency);
  }

  get requests(): number {
    return this.client.requests;
  }

  /** Marks a Service absent until `created` is called (its pods exist, its object does not yet). */
  setAbsent(svc: number): void {
    this.present[svc] = 0;
  }

  created(svc: number): void {
    this.present[svc] = 1;
    this.noteTrigger(svc, this.sim.now);
    this.queue.add(svc);
  }

  protected abstract sync(svc: number): void;

  /** Records a change's trigger time (NaN: none) until a sync takes it. */
  protected noteTrigger(svc: number, trigger: number): void {
    if (!Number.isNaN(trigger) && !(this.pendingTrigger[svc] <= trigger)) this.pendingTrigger[svc] = trigger;
  }

  /** The trigger the starting sync writes; cleared until a failure gives it back. */
  protected takeTrigger(svc: number): number {
    const t = this.pendingTrigger[svc];
    this.pendingTrigger[svc] = Number.NaN;
    return t;
  }

  protected syncCost(svc: Service, base: Micros, perEndpoint: number): Micros {
    return base + Math.round(perEndpoint * svc.pods.length);
  }
}
