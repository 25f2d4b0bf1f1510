import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { s } from "../engine/time.js";
import { histogramQuantile, NPL_BUCKETS_S, nplBucketIndex, NplSli, quantileOverTime } from "./npl-sli.js";

describe("ClusterLoader2's NPL SLI", () => {
  it("has kube-proxy's buckets: 0.25, 0.5, 1..59, 60..115 by 5, 120..300 by 30", () => {
    expect(NPL_BUCKETS_S.length).toBe(2 + 59 + 12 + 7);
    expect(NPL_BUCKETS_S.slice(0, 4)).toEqual([0.25, 0.5, 1, 2]);
    expect(NPL_BUCKETS_S.slice(60, 63)).toEqual([59, 60, 65]);
    expect(NPL_BUCKETS_S.at(-1)).toBe(300);
  });

  it("finds a sample's bucket as a search of the bounds would (le: a value on a bound is in that bucket)", () => {
    const search = (v: number): number => {
      let b = 0;
      while (b < NPL_BUCKETS_S.length && v > NPL_BUCKETS_S[b]) b++;
      return b;
    };
    for (const bound of NPL_BUCKETS_S) for (const v of [bound, bound + 1e-9, bound - 1e-9]) expect(nplBucketIndex(v), String(v)).toBe(search(v));
    fc.assert(fc.property(fc.double({ min: 0, max: 400, noNaN: true }), (v) => nplBucketIndex(v) === search(v)));
  });

  it("interpolates within the bucket like Prometheus's histogram_quantile", () => {
    // 100 samples: 90 in (0, 1], 10 in (1, 2]: rank 99 is the 9th of 10 in (1, 2] -> 1 + 9/10
    expect(histogramQuantile(0.99, [1, 2], [90, 10, 0])).toBeCloseTo(1.9, 12);
    // in the +Inf bucket: the highest finite bound
    expect(histogramQuantile(0.99, [1, 2], [1, 0, 99])).toBe(2);
    expect(histogramQuantile(0.99, [1, 2], [0, 0, 0])).toBeNaN();
  });

  it("takes quantile_over_time as Prometheus does (linear between sorted values)", () => {
    // rank 0.99 x 4 = 3.96: 0.04 x 4th + 0.96 x 5th of 1, 2, 3, 4, 100
    expect(quantileOverTime(0.99, [100, 3, 1, 4, 2])).toBeCloseTo(0.04 * 4 + 0.96 * 100, 12);
    expect(quantileOverTime(0.5, [7])).toBe(7);
  });

  it("computes the p99 of the 5-minute-window p99s on a hand-worked run", () => {
    // 10 minutes. Every 30 s interval gets 99 samples of 0.1 s and one of 0.3 s, except interval 12 (6:00-6:30)
    // which gets 100 samples of 45.5 s.
    const sli = new NplSli(s(600));
    for (let i = 0; i < 20; i++) {
      const at = s(30 * i + 1);
      if (i === 12) sli.record(at, 45.5, 100);
      else {
        sli.record(at, 0.1, 99);
        sli.record(at, 0.3, 1);
      }
    }
    const series = sli.windowSeries();
    expect(series.length).toBe(20); // evaluations at 0:30, 1:00, ... 10:00
    // windows without interval 12: n intervals x 100 samples, 1% in (0.25, 0.5]: rank 0.99 n x 100 is the last of
    // the 99n in (0, 0.25] -> 0.25 exactly
    expect(series[0]).toBeCloseTo(0.25, 12);
    // the windows holding interval 12 (evaluations 13..20, ten intervals each): 100 of 1,000 samples in (45, 46];
    // rank 990 is the 90th of those 100 -> 45 + 90/100
    expect(series[12]).toBeCloseTo(45.9, 12);
    expect(series[19]).toBeCloseTo(45.9, 12);
    // 8 evaluations of 45.9 (13..20) and 12 of 0.25: rank 0.99 x 19 = 18.81 falls among the 45.9s
    expect(sli.p99()).toBeCloseTo(45.9, 12);
  });
});
