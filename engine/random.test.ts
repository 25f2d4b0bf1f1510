import { describe, expect, it } from "vitest";
import { RandomStreams } from "./random.js";

const N = 100_000;

function moments(draw: () => number, n = N): { mean: number; variance: number } {
  let sum = 0;
  let sq = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    sq += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sq / n - mean * mean };
}

describe("RandomStreams", () => {
  it("gives the same draws for the same seed and name", () => {
    const a = new RandomStreams(7).stream("workload/churn");
    const b = new RandomStreams(7).stream("workload/churn");
    for (let i = 0; i < 100; i++) expect(a.uniform()).toBe(b.uniform());
  });

  it("differs across seeds and across names", () => {
    const a = new RandomStreams(7).stream("x").uniform();
    expect(new RandomStreams(8).stream("x").uniform()).not.toBe(a);
    expect(new RandomStreams(7).stream("y").uniform()).not.toBe(a);
  });

  it("adding or using another stream does not change a stream's draws", () => {
    const alone = new RandomStreams(42);
    const expected = Array.from({ length: 50 }, () => alone.stream("workload/churn").uniform());

    const crowded = new RandomStreams(42);
    const other = crowded.stream("dns/lookups");
    for (let i = 0; i < 1000; i++) other.uniform();
    crowded.stream("a/new/component").exponential(3);
    const got: number[] = [];
    for (let i = 0; i < 50; i++) {
      got.push(crowded.stream("workload/churn").uniform());
      other.normal();
    }
    expect(got).toEqual(expected);
  });

  it("returns the same stream object for the same name", () => {
    const r = new RandomStreams(1);
    expect(r.stream("a")).toBe(r.stream("a"));
  });

  it("rejects a non-integer seed", () => {
    expect(() => new RandomStreams(1.5)).toThrow(/safe integer/);
  });
});

describe("distributions (10^5 draws)", () => {
  const rng = new RandomStreams(2026);

  it("uniform: mean 1/2, variance 1/12, all in [0,1)", () => {
    const s = rng.stream("uniform");
    let min = 1;
    let max = 0;
    const m = moments(() => {
      const x = s.uniform();
      min = Math.min(min, x);
      max = Math.max(max, x);
      return x;
    });
    expect(m.mean).toBeCloseTo(0.5, 2);
    expect(m.variance).toBeCloseTo(1 / 12, 2);
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
  });

  it("int(lo, hi) covers both ends uniformly", () => {
    const s = rng.stream("int");
    const counts = new Array(6).fill(0);
    for (let i = 0; i < N; i++) counts[s.int(1, 6) - 1]++;
    for (const c of counts) expect(Math.abs(c - N / 6) / (N / 6)).toBeLessThan(0.03);
  });

  it("exponential(mean 3): mean 3, variance 9", () => {
    const s = rng.stream("exp");
    const m = moments(() => s.exponential(3));
    expect(Math.abs(m.mean - 3) / 3).toBeLessThan(0.02);
    expect(Math.abs(m.variance - 9) / 9).toBeLessThan(0.05);
  });

  it("normal(10, 2): mean 10, variance 4", () => {
    const s = rng.stream("normal");
    const m = moments(() => s.normal(10, 2));
    expect(m.mean).toBeCloseTo(10, 1);
    expect(Math.abs(m.variance - 4) / 4).toBeLessThan(0.03);
  });

  it("lognormal(0, 0.5): mean exp(sigma^2/2)", () => {
    const s = rng.stream("lognormal");
    const m = moments(() => s.lognormal(0, 0.5));
    const mean = Math.exp(0.125);
    const variance = (Math.exp(0.25) - 1) * Math.exp(0.25);
    expect(Math.abs(m.mean - mean) / mean).toBeLessThan(0.02);
    expect(Math.abs(m.variance - variance) / variance).toBeLessThan(0.06);
  });

  it("lognormalMedianP99 puts 99% of draws under the stated p99", () => {
    const s = rng.stream("lognormal-p99");
    const xs = Array.from({ length: N }, () => s.lognormalMedianP99(10, 100)).sort((a, b) => a - b);
    expect(Math.abs(xs[N / 2] - 10) / 10).toBeLessThan(0.03);
    expect(Math.abs(xs[Math.floor(0.99 * N)] - 100) / 100).toBeLessThan(0.08);
  });

  for (const lambda of [0.5, 4, 30, 1000]) {
    it(`poisson(${lambda}): mean and variance ${lambda}`, () => {
      const s = rng.stream(`poisson/${lambda}`);
      const m = moments(() => s.poisson(lambda));
      expect(Math.abs(m.mean - lambda) / lambda).toBeLessThan(0.02);
      expect(Math.abs(m.variance - lambda) / lambda).toBeLessThan(0.05);
    });
  }

  it("poisson draws are non-negative integers", () => {
    const s = rng.stream("poisson/int");
    for (let i = 0; i < 10_000; i++) {
      const k = s.poisson(i % 2 === 0 ? 3 : 50);
      expect(Number.isInteger(k) && k >= 0).toBe(true);
    }
  });

  it("weighted choice follows the weights", () => {
    const s = rng.stream("weighted");
    const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < N; i++) counts[s.weighted(["a", "b", "c"], [1, 2, 7])]++;
    expect(counts.a / N).toBeCloseTo(0.1, 2);
    expect(counts.b / N).toBeCloseTo(0.2, 2);
    expect(counts.c / N).toBeCloseTo(0.7, 2);
    expect(() => s.weighted(["a"], [1, 2])).toThrow(/as many weights/);
  });

  it("shuffle is a permutation and every position is uniform", () => {
    const s = rng.stream("shuffle");
    const firstCounts = new Array(5).fill(0);
    for (let i = 0; i < 50_000; i++) {
      const p = s.shuffle([0, 1, 2, 3, 4]);
      expect([...p].sort()).toEqual([0, 1, 2, 3, 4]);
      firstCounts[p[0]]++;
    }
    for (const c of firstCounts) expect(Math.abs(c - 10_000) / 10_000).toBeLessThan(0.04);
  });
});
