import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import type { TokenBucket } from "../../engine/token-bucket.js";

/** One API request: performed at its commit time; returns false when the server rejected it. */
export type ApiCall = () => boolean;

/**
 * A controller's client: requests go one after another (a sync issues its calls sequentially), each waiting for a
 * token from the client's rate limiter (kube-controller-manager `--kube-api-qps` 20 / `--kube-api-burst` 30,
 * docs/sources.md §18.3) and taking `latency` to commit and answer. The first rejected call ends the sequence: the
 * remaining calls are not sent (docs/sources.md §7.6: the first API error ends the sync).
 */
export class ApiClient {
  requests = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly limiter: TokenBucket,
    private readonly latency: Micros,
  ) {}

  /**
   * Sends `calls` at once, each from its own goroutine (slowStartBatch, the ReplicaSet controller's deletes): each
   * waits for its own token; `done(ok)` runs when every answer is back, ok when none was rejected.
   */
  runParallel(calls: ApiCall[], done: (ok: boolean) => void): void {
    if (calls.length === 0) {
      done(true);
      return;
    }
    let pending = calls.length;
    let ok = true;
    for (const call of calls) {
      this.sim.schedule(this.limiter.reserve(this.sim.now) + this.latency, () => {
        this.requests++;
        if (!call()) ok = false;
        if (--pending === 0) done(ok);
      });
    }
  }

  /** Sends `calls` in order starting now; `done(ok)` runs when the last answer (or the first rejection) is back. */
  run(calls: ApiCall[], done: (ok: boolean) => void): void {
    let i = 0;
    const step = (): void => {
      this.requests++;
      if (!calls[i]()) {
        done(false);
        return;
      }
      i++;
      if (i === calls.length) done(true);
      else this.sim.schedule(this.limiter.reserve(this.sim.now) + this.latency, step);
    };
    if (calls.length === 0) done(true);
    else this.sim.schedule(this.limiter.reserve(this.sim.now) + this.latency, step);
  }
}
