import seedrandom from "seedrandom";

/**
 * Named random streams derived from one scenario seed.
 *
 * Each stream is an independent Alea generator (seedrandom) seeded from the text `<seed>/<name>`, so a stream's
 * draws depend only on the seed and its own name: adding, removing or reordering other streams never shifts them.
 * That is what makes common random numbers work across variants.
 */
/** A lognormal given by its median and 99th percentile; equal values mean a constant. */
export interface Spread {
  median: number;
  p99: number;
}

/** The sigma of the lognormal with this median and 99th percentile: ln(p99 / median) / z(0.99). */
export function lognormalSigma(median: number, p99: number): number {
  return Math.log(p99 / median) / 2.3263478740408408;
}

/** The mean of the lognormal with this median and 99th percentile: median x exp(sigma^2 / 2). */
export function lognormalMean(median: number, p99: number): number {
  return median * Math.exp(lognormalSigma(median, p99) ** 2 / 2);
}

export class RandomStreams {
  private readonly streams = new Map<string, RandomStream>();

  constructor(readonly seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`);
  }

  /** The stream for `name` (e.g. "workload/churn"); the same object on every call with the same name. */
  stream(name: string): RandomStream {
    let s = this.streams.get(name);
    if (s === undefined) {
      s = new RandomStream(seedrandom.alea(`${this.seed}/${name}`));
      this.streams.set(name, s);
    }
    return s;
  }
}

/** A uniform [0, 1) source plus the distributions the models draw from. */
export class RandomStream {
  constructor(private readonly next: () => number) {}

  /** Uniform in [0, 1). */
  uniform(): number {
    return this.next();
  }

  /** Uniform in [lo, hi). */
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** true with probability p. */
  bernoulli(p: number): boolean {
    return this.next() < p;
  }

  /** Exponential with the given mean (not rate). */
  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Normal (Box-Muller; two uniforms per draw, no cached spare so a draw's cost never depends on history). */
  normal(mean = 0, sd = 1): number {
    const u1 = 1 - this.next(); // (0, 1]
    const u2 = this.next();
    return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Lognormal: exp(N(mu, sigma)) with mu, sigma of the underlying normal. */
  lognormal(mu: number, sigma: number): number {
    return Math.exp(this.normal(mu, sigma));
  }

  /** Lognormal given its median and its p99 (> median): a convenient way to state a latency spread. */
  lognormalMedianP99(median: number, p99: number): number {
    return this.lognormal(Math.log(median), lognormalSigma(median, p99));
  }

  /** A draw of a spread, rounded to an integer: its median when p99 is not above it (a constant). */
  spread(s: Spread): number {
    if (s.p99 <= s.median) return s.median;
    return Math.round(this.lognormalMedianP99(s.median, s.p99));
  }

  /** Poisson count with mean lambda: multiplication method below 10, Hörmann's PTRS (exact) above. */
  poisson(lambda: number): number {
    if (!(lambda >= 0)) throw new RangeError(`poisson mean must be >= 0, got ${lambda}`);
    if (lambda === 0) return 0;
    if (lambda < 10) {
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = this.next();
      while (p > limit) {
        k++;
        p *= this.next();
      }
      return k;
    }
    // W. Hörmann, "The transformed rejection method for generating Poisson random variables", 1993.
    const slam = Math.sqrt(lambda);
    const loglam = Math.log(lambda);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invalpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.next() - 0.5;
      const v = this.next();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + lambda + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -lambda + k * loglam - logFactorial(k)) {
        return k;
      }
    }
  }

  /** One of `items`, chosen with probability proportional to `weights`. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    if (items.length !== weights.length || items.length === 0) {
      throw new RangeError(`weighted choice needs as many weights as items (items=${items.length}, weights=${weights.length})`);
    }
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      x -= weights[i];
      if (x < 0) return items[i];
    }
    return items[items.length - 1];
  }

  /** Fisher-Yates shuffle in place; returns the same array. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

const LOG_FACT_TABLE: number[] = [0];
function logFactorial(k: number): number {
  if (k < 256) {
    while (LOG_FACT_TABLE.length <= k) {
      const n = LOG_FACT_TABLE.length;
      LOG_FACT_TABLE.push(LOG_FACT_TABLE[n - 1] + Math.log(n));
    }
    return LOG_FACT_TABLE[k];
  }
  // Stirling series; error < 1e-10 for k >= 256.
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}
