import fc from "fast-check";
import * as hdrLib from "hdr-histogram-js";
import { describe, expect, it } from "vitest";
import { Histogram, Metrics, percentileSuffix } from "./metrics.js";
import { Simulation } from "./simulation.js";
import { s } from "./time.js";

describe("Histogram", () => {
  it("gives exact percentiles of 1..10000 within HDR's 3-digit precision", () => {
    const h = new Histogram("lat", "us");
    for (let v = 1; v <= 10_000; v++) h.record(v);
    expect(h.count).toBe(10_000);
    // HDR reports the highest value equivalent to the bucket, within 0.1% of the true order statistic.
    for (const [p, exact] of [
      [50, 5000],
      [90, 9000],
      [99, 9900],
      [99.9, 9990],
      [100, 10_000],
    ] as const) {
      const got = h.percentile(p);
      expect(Math.abs(got - exact) / exact).toBeLessThanOrEqual(0.001);
      expect(got).toBeGreaterThanOrEqual(exact);
    }
    expect(h.max).toBe(10_000);
    expect(h.mean).toBeCloseTo(5000.5, 0);
  });

  it("is exact for small integers", () => {
    const h = new Histogram("x", "count");
    for (const v of [3, 1, 4, 1, 5, 9, 2, 6, 5, 3]) h.record(v);
    expect(h.percentile(50)).toBe(3);
    expect(h.percentile(90)).toBe(6);
    expect(h.percentile(100)).toBe(9);
  });

  it("scales exported values and records counts", () => {
    const h = new Histogram("npl", "s", { scale: 1e6 });
    h.record(2_000_000, 99);
    h.record(30_000_000, 1);
    expect(h.count).toBe(100);
    expect(h.percentile(50)).toBeCloseTo(2, 2);
    expect(h.percentile(99)).toBeCloseTo(2, 2);
    expect(h.percentile(100)).toBeCloseTo(30, 1);
  });

  it("merges", () => {
    const a = new Histogram("a", "us");
    const b = new Histogram("b", "us");
    for (let v = 1; v <= 500; v++) a.record(v);
    for (let v = 501; v <= 1000; v++) b.record(v);
    a.merge(b);
    expect(a.count).toBe(1000);
    expect(a.percentile(50)).toBe(500);
    expect(a.max).toBe(1000);
  });

  it("reports zeros when empty", () => {
    const h = new Histogram("e", "us");
    expect([h.percentile(99), h.max, h.mean, h.count]).toEqual([0, 0, 0, 0]);
  });

  it("names percentiles without dots", () => {
    expect([50, 99, 99.9, 99.99].map(percentileSuffix)).toEqual(["p50", "p99", "p999", "p9999"]);
  });
});

describe("Metrics", () => {
  it("exports counters, gauges, histograms and sampled series in registration order", () => {
    const sim = new Simulation();
    const m = new Metrics();
    const writes = m.counter("etcd.writes", "count");
    const db = m.gauge("etcd.db_bytes", "bytes");
    const h = m.histogram("npl", "s", { scale: 1e3, percentiles: [50, 99] });
    let level = 0;
    m.timeSeries("conntrack.entries", "entries", () => level);
    m.sampleEvery(sim, s(10), s(30));
    sim.schedule(s(5), () => {
      writes.add(3);
      db.set(100);
      level = 7;
      h.record(1500); // ms: below 2048, so HDR keeps it exact
    });
    sim.schedule(s(15), () => {
      db.set(40);
      level = 2;
    });
    sim.run({ until: s(30) });
    expect(m.export()).toEqual([
      { metric: "etcd.writes", unit: "count", value: 3 },
      { metric: "etcd.db_bytes.max", unit: "bytes", value: 100 },
      { metric: "etcd.db_bytes.final", unit: "bytes", value: 40 },
      { metric: "npl.count", unit: "count", value: 1 },
      { metric: "npl.p50", unit: "s", value: 1.5 },
      { metric: "npl.p99", unit: "s", value: 1.5 },
      { metric: "npl.max", unit: "s", value: 1.5 },
      { metric: "npl.mean", unit: "s", value: 1.5 },
      { metric: "conntrack.entries@0s", unit: "entries", value: 0 },
      { metric: "conntrack.entries@10s", unit: "entries", value: 7 },
      { metric: "conntrack.entries@20s", unit: "entries", value: 2 },
      { metric: "conntrack.entries@30s", unit: "entries", value: 2 },
      { metric: "conntrack.entries.max", unit: "entries", value: 7 },
    ]);
  });

  it("refuses a metric registered twice", () => {
    const m = new Metrics();
    m.counter("a", "count");
    expect(() => m.gauge("a", "count")).toThrow(/registered twice/);
  });
});

describe("Histogram's own counts", () => {
  it("give the same percentiles, max and mean as recording into hdr-histogram-js directly (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer({ min: 0, max: 3000 }), fc.integer({ min: 0, max: 2 ** 32 + 5 }), fc.integer({ min: 0, max: 2 ** 40 })), {
          minLength: 1,
          maxLength: 300,
        }),
        fc.constantFrom<1 | 2 | 3 | 4>(1, 2, 3, 4),
        (values, digits) => {
          const ours = new Histogram("h", "us", { significantDigits: digits });
          const direct = hdrLib.build({
            bitBucketSize: 64,
            autoResize: true,
            lowestDiscernibleValue: 1,
            highestTrackableValue: 2,
            numberOfSignificantValueDigits: digits,
            useWebAssembly: false,
          });
          for (const v of values) {
            ours.record(v);
            direct.recordValue(v);
          }
          for (const p of [0, 1, 25, 50, 90, 99, 99.9, 100]) expect(ours.percentile(p)).toBe(direct.getValueAtPercentile(p));
          expect(ours.max).toBe(direct.maxValue);
          expect(ours.mean).toBe(direct.mean);
          expect(ours.count).toBe(direct.totalCount);
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });

  it("keeps recording after being queried", () => {
    const h = new Histogram("h", "us");
    h.record(10);
    expect(h.percentile(100)).toBe(10);
    h.record(5000);
    expect(h.count).toBe(2);
    expect(h.percentile(100)).toBeGreaterThanOrEqual(5000);
  });
});

describe("Metrics export", () => {
  it("refuses two metrics that export the same row name", () => {
    const m = new Metrics();
    m.gauge("db", "bytes");
    m.counter("db.max", "bytes");
    expect(() => m.export()).toThrow(/db.max exported twice/);
  });
});
