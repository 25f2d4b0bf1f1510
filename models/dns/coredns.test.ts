import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CACHE_CAPACITY,
  COREDNS_REF_AUTOPATH_EXTERNAL_LATENCY_MS,
  COREDNS_REF_AUTOPATH_EXTERNAL_QPS,
  COREDNS_REF_AUTOPATH_INTERNAL_QPS,
  COREDNS_REF_EXTERNAL_BACKEND_QUERIES,
  COREDNS_REF_EXTERNAL_CLIENT_LATENCY_MS,
  COREDNS_REF_EXTERNAL_CLIENT_QPS,
  COREDNS_REF_EXTERNAL_SERVER_LATENCY_MS,
  COREDNS_REF_EXTERNAL_SERVER_QPS,
  COREDNS_REF_INTERNAL_LATENCY_MS,
  COREDNS_REF_INTERNAL_QPS,
  COREDNS_SINGLE_SOCKET_CEILING_QPS,
  COREDNS_UTILISATION_CAP,
  NODELOCAL_CLUSTER_CACHE,
  cacheHitRatioPeriodic,
  cacheHitRatioPoisson,
  cacheHitRatioSet,
  corednsCapacityQps,
  corednsClientCapacityQps,
  corednsLatencyMs,
  corednsMemoryMB,
  crashLoopKillTimes,
  corednsStep,
  effectiveCacheTtlS,
  erlangC,
  forwardTcpConnections,
  zipfRates,
} from "./coredns.js";

const within = (ours: number, published: number, tol = 0.1): void => {
  expect(Math.abs(ours - published) / published, `ours ${ours} vs published ${published}`).toBeLessThanOrEqual(tol);
};

describe("capacity, calibrated to the 2-vCPU figures of docs/sources.md §2.2", () => {
  it("internal ~33.7k QPS", () => {
    within(corednsCapacityQps(2, { internal: 1 }), COREDNS_REF_INTERNAL_QPS, 0.001);
  });
  it("external without autopath: ~33.7k server QPS = ~6.7k client QPS at 5 backend queries each", () => {
    within(corednsCapacityQps(2, { external: 1 }), COREDNS_REF_EXTERNAL_SERVER_QPS, 0.001);
    within(corednsClientCapacityQps(2, COREDNS_REF_EXTERNAL_BACKEND_QUERIES, { external: 1 }), COREDNS_REF_EXTERNAL_CLIENT_QPS, 0.001);
    // The test's real mix: 3 kubernetes-plugin NXDOMAINs + 2 forwarded queries per client query.
    within(corednsClientCapacityQps(2, 5, { internal: 3, external: 2 }), COREDNS_REF_EXTERNAL_CLIENT_QPS);
  });
  it("autopath: ~31.4k external, ~33.9k internal", () => {
    within(corednsCapacityQps(2, { autopathExternal: 1 }), COREDNS_REF_AUTOPATH_EXTERNAL_QPS, 0.001);
    within(corednsCapacityQps(2, { autopathInternal: 1 }), COREDNS_REF_AUTOPATH_INTERNAL_QPS, 0.001);
  });
  it("scales with cores up to the single-socket ceiling unless multisocket", () => {
    within(corednsCapacityQps(1), 16_834.5, 0.001);
    within(corednsCapacityQps(0.1), 1_683.45, 0.001);
    expect(corednsCapacityQps(8)).toBe(COREDNS_SINGLE_SOCKET_CEILING_QPS);
    within(corednsCapacityQps(8, { internal: 1 }, { multisocket: true }), 8 * 16_834.5, 0.001);
    expect(() => corednsCapacityQps(0)).toThrow();
  });
});

describe("latency", () => {
  it("at offered = capacity it is the published latency at saturation, within 10 %", () => {
    const cap = corednsCapacityQps(2);
    within(corednsLatencyMs(cap, cap), COREDNS_REF_INTERNAL_LATENCY_MS, 0.001);
    within(corednsLatencyMs(cap, cap), COREDNS_REF_EXTERNAL_SERVER_LATENCY_MS);
    within(corednsLatencyMs(cap, cap), COREDNS_REF_AUTOPATH_EXTERNAL_LATENCY_MS);
    // Client external: five sequential candidates.
    within(COREDNS_REF_EXTERNAL_BACKEND_QUERIES * corednsLatencyMs(cap, cap), COREDNS_REF_EXTERNAL_CLIENT_LATENCY_MS);
    expect(COREDNS_UTILISATION_CAP).toBeGreaterThan(0.985);
    expect(COREDNS_UTILISATION_CAP).toBeLessThan(0.99);
  });
  it("grows with load, is finite above capacity, and is ~the service time when idle", () => {
    const cap = corednsCapacityQps(2);
    let prev = 0;
    for (const f of [0, 0.1, 0.5, 0.9, 0.98, 1, 2, 10]) {
      const l = corednsLatencyMs(f * cap, cap);
      expect(Number.isFinite(l)).toBe(true);
      expect(l).toBeGreaterThanOrEqual(prev);
      prev = l;
    }
    expect(corednsLatencyMs(0, cap)).toBeCloseTo((1000 * 2) / cap, 9);
  });
  it("Erlang C matches M/M/1 and known values", () => {
    expect(erlangC(1, 0.5)).toBeCloseTo(0.5, 12);
    expect(erlangC(2, 1)).toBeCloseTo(1 / 3, 12);
    expect(erlangC(2, 2)).toBe(1);
  });
});

describe("corednsStep", () => {
  const cap = 10_000;
  it("serves everything below capacity", () => {
    const r = corednsStep({ offered: 5_000, backlog: 0, capacityQps: cap, dtS: 1 });
    expect(r).toMatchObject({ served: 5_000, dropped: 0, backlog: 0, utilisation: 0.5 });
    expect(r.latencyMs).toBeCloseTo(corednsLatencyMs(5_000, cap), 12);
  });
  it("queues overload, adds the drain time to latency, drops beyond 2 s of queue, and drains afterwards", () => {
    let backlog = 0;
    const lat: number[] = [];
    let dropped = 0;
    for (let t = 0; t < 5; t++) {
      const r = corednsStep({ offered: 15_000, backlog, capacityQps: cap, dtS: 1 });
      expect(r.served).toBe(cap);
      backlog = r.backlog;
      dropped += r.dropped;
      lat.push(r.latencyMs);
    }
    expect(backlog).toBe(20_000); // 2 s × capacity
    expect(dropped).toBe(5 * 5_000 - 20_000);
    expect(lat[1]).toBeGreaterThan(lat[0]);
    expect(lat[4]).toBeGreaterThan(2_000);
    const drain = corednsStep({ offered: 0, backlog, capacityQps: cap, dtS: 1 });
    expect(drain).toMatchObject({ served: cap, backlog: 10_000, dropped: 0 });
  });
  it("conserves queries", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e5, noNaN: true }),
        fc.double({ min: 0.01, max: 10, noNaN: true }),
        (offered, backlog, dt) => {
          const r = corednsStep({ offered, backlog, capacityQps: cap, dtS: dt });
          expect(r.served + r.dropped + r.backlog).toBeCloseTo(offered + backlog, 3);
          expect(r.backlog).toBeLessThanOrEqual(cap * 2 + 1e-6);
          expect(Number.isFinite(r.latencyMs)).toBe(true);
        },
      ),
    );
  });
});

describe("memory (coredns/deployment kubernetes/Scaling_CoreDNS.md)", () => {
  it("follows the published formulas over what the plugin caches", () => {
    // default `pods insecure`: no Pod objects, whatever the cluster's pod count
    expect(corednsMemoryMB({ services: 820, endpoints: 15_000, pods: 450_000 })).toBeCloseTo(15_820 / 1000 + 54, 9);
    // `pods verified` caches every pod: 450,000 pods + 25,000 services at 4 KB each + 56 MB
    expect(corednsMemoryMB({ services: 25_000, endpoints: 100_000, pods: 450_000 }, { podsVerified: true })).toBe(1_956);
  });

  it("kills a container that OOMs at start after kubelet's backoffs: 10, 20, 40, 80, 160, 300 s", () => {
    expect(crashLoopKillTimes(0, 600)).toEqual([0, 10, 30, 70, 150, 310]);
    expect(crashLoopKillTimes(0, 1210)).toEqual([0, 10, 30, 70, 150, 310, 610, 910, 1210]);
  });
});

describe("cache", () => {
  it("TTLs: the record TTL clamped to [min 5 s, max]", () => {
    expect(effectiveCacheTtlS(5, NODELOCAL_CLUSTER_CACHE.successMaxTtlS)).toBe(5);
    expect(effectiveCacheTtlS(300, 30)).toBe(30);
    expect(effectiveCacheTtlS(1, 30)).toBe(5);
    expect(effectiveCacheTtlS(60, NODELOCAL_CLUSTER_CACHE.denialMaxTtlS)).toBe(5);
    expect(CACHE_CAPACITY).toBe(9_984);
  });

  it("one name at rate λ with TTL T: 1 − 1/(1 + λT); periodic 1 Hz with 5 s gives 12 misses/min (docs/sources.md §1.5)", () => {
    expect(cacheHitRatioPoisson(1, 5)).toBeCloseTo(5 / 6, 12);
    expect(cacheHitRatioPoisson(0, 5)).toBe(0);
    expect(60 * (1 - cacheHitRatioPeriodic(1, 5))).toBeCloseTo(12, 9);
    expect(cacheHitRatioPeriodic(0.5, 5)).toBeCloseTo(0.9, 12);
    expect(cacheHitRatioPeriodic(10, 5)).toBe(0);
  });

  it("a set of names that fits: the per-name formula", () => {
    const rates = zipfRates(1_000, 1, 500);
    const r = cacheHitRatioSet(rates, 5);
    expect(r.evictionRatePerEntry).toBe(0);
    for (let i = 0; i < 1_000; i += 97) expect(r.perKey[i]).toBeCloseTo(cacheHitRatioPoisson(rates[i], 5), 12);
    expect(r.occupancy).toBe(1_000);
  });

  it("capacity pressure lowers the hit ratio monotonically", () => {
    const rates = zipfRates(20_000, 0.8, 5_000);
    let prev = 0;
    for (const cap of [100, 1_000, 5_000, CACHE_CAPACITY, 20_000]) {
      const r = cacheHitRatioSet(rates, 30, cap);
      expect(r.hitRatio).toBeGreaterThanOrEqual(prev);
      expect(r.occupancy).toBe(Math.min(cap, 20_000));
      prev = r.hitRatio;
    }
  });

  it("agrees with a simulation of random eviction (stale entries keep their slot) within 0.02", () => {
    const k = 3_000;
    const capacity = 600;
    const ttl = 5;
    const rates = zipfRates(k, 0.9, 3_000);
    const model = cacheHitRatioSet(rates, ttl, capacity).hitRatio;

    let seed = 12345;
    const rand = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = seed;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const cum = new Float64Array(k);
    let acc = 0;
    for (let i = 0; i < k; i++) cum[i] = acc += rates[i];
    const filledAt = new Float64Array(k).fill(-1);
    const slots: number[] = [];
    const slotOf = new Int32Array(k).fill(-1);
    let t = 0;
    let hits = 0;
    let total = 0;
    for (let n = 0; n < 600_000; n++) {
      t += -Math.log(1 - rand()) / acc;
      const u = rand() * acc;
      let lo = 0;
      let hi = k - 1;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid] < u) lo = mid + 1;
        else hi = mid;
      }
      const key = lo;
      const warm = n > 100_000;
      if (slotOf[key] >= 0 && t - filledAt[key] < ttl) {
        if (warm) hits++;
      } else {
        if (slotOf[key] < 0) {
          if (slots.length >= capacity) {
            const v = Math.floor(rand() * slots.length);
            const victim = slots[v];
            slotOf[victim] = -1;
            slots[v] = key;
            slotOf[key] = v;
          } else {
            slotOf[key] = slots.length;
            slots.push(key);
          }
        }
        filledAt[key] = t;
      }
      if (warm) total++;
    }
    expect(Math.abs(hits / total - model)).toBeLessThan(0.02);
  });

  it("forward connection pool: Little's law at high rate, one intermittent connection at low rate", () => {
    expect(forwardTcpConnections(10_000, 0.002).open).toBeCloseTo(20, 9);
    const low = forwardTcpConnections(0.01, 0.002);
    expect(low.open).toBeCloseTo(1 - Math.exp(-0.1), 12);
    expect(low.closesPerS).toBeCloseTo(0.01 * Math.exp(-0.1), 12);
  });
});
