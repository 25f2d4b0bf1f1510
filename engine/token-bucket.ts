import type { Micros } from "./time.js";

/**
 * A token bucket (client-go flowcontrol / golang.org/x/time/rate): `qps` tokens per second up to `burst`.
 * `reserve(now)` takes the next token and returns when it is available (now, or later when the bucket is empty),
 * like rate.Limiter.Reserve; callers wait until then.
 */
export class TokenBucket {
  private tokens: number;
  private last: Micros = 0;

  constructor(
    private readonly qps: number,
    private readonly burst: number,
  ) {
    if (!(qps > 0) || !(burst >= 1)) throw new RangeError(`token bucket needs qps > 0 and burst >= 1 (got ${qps}, ${burst})`);
    this.tokens = burst;
  }

  reserve(now: Micros): Micros {
    const t = now > this.last ? now : this.last;
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) * this.qps) / 1e6);
    this.last = t;
    this.tokens -= 1;
    if (this.tokens >= 0) return t;
    // Borrow: the token arrives after the deficit refills; later reservations queue behind it.
    const wait = Math.ceil((-this.tokens * 1e6) / this.qps);
    return t + wait;
  }
}
