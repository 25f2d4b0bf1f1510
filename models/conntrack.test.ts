import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CONNTRACK_TIMEOUTS_S,
  ConntrackTable,
  conntrackHashsize,
  conntrackMax,
  conntrackMemoryBytes,
  dnsRaceLossProbability,
  DNS_RACE_PROBABILITY_PER_PAIR,
  kernelAtLeast,
  kernelDefaultConntrackMax,
  lookupRaceProbability,
  parseKernelVersion,
  steadyStateOccupancy,
  unfixedRaces,
} from "./conntrack.js";

describe("kube-proxy sizing (docs/sources.md §4.4)", () => {
  it("max(32768 × cores, 131072)", () => {
    for (const c of [1, 2, 4]) expect(conntrackMax(c)).toBe(131_072);
    expect(conntrackMax(8)).toBe(262_144);
    expect(conntrackMax(16)).toBe(524_288);
    expect(conntrackMax(32)).toBe(1_048_576);
    expect(conntrackMax(64)).toBe(2_097_152);
    expect(conntrackMax(64, undefined, undefined, { cap1M: true })).toBe(1_048_576);
    expect(conntrackMax(8, 0)).toBe(0);
    expect(() => conntrackMax(0)).toThrow();
  });
  it("hashsize = max/4 unless already larger", () => {
    expect(conntrackHashsize(524_288)).toBe(131_072);
    expect(conntrackHashsize(131_072, 262_144)).toBe(262_144);
  });
  it("kernel defaults: 1:1 with buckets, 262144 above 4 GiB (docs/sources.md §4.1)", () => {
    const gib = 1024 ** 3;
    expect(kernelDefaultConntrackMax(23 * gib)).toBe(262_144);
    expect(kernelDefaultConntrackMax(2 * gib)).toBe(65_536);
    expect(kernelDefaultConntrackMax(512 * 1024 ** 2)).toBe(4_096);
    expect(kernelDefaultConntrackMax(16 * 1024 ** 2)).toBe(1_024);
    expect(conntrackMemoryBytes(1_048_576, 262_144) / 1e6).toBeCloseTo(270.5, 1);
  });
});

describe("ConntrackTable", () => {
  it("steady-state occupancy ≈ rate × 30 s for replied DNS flows, and it empties 30 s after they stop", () => {
    const t = new ConntrackTable({ max: 262_144 });
    let occ = 0;
    for (let i = 0; i < 100; i++) occ = t.step({ udpReplied: 1_000 }).occupancy;
    expect(occ).toBe(30_000);
    expect(occ).toBe(steadyStateOccupancy({ udpReplied: 1_000 }));
    for (let i = 0; i < 29; i++) t.step();
    expect(t.occupancy).toBe(1_000);
    t.step();
    expect(t.occupancy).toBe(0);
  });

  it("the same with half-second steps, and on legacy kernels 120 s (docs/sources.md §4.3)", () => {
    const half = new ConntrackTable({ max: 1e6, dtS: 0.5 });
    for (let i = 0; i < 200; i++) half.step({ udpReplied: 500 });
    expect(half.occupancy).toBe(30_000);
    const legacy = new ConntrackTable({ max: 1e6, udpRegime: "legacy" });
    for (let i = 0; i < 300; i++) legacy.step({ udpReplied: 1_000 });
    expect(legacy.occupancy).toBe(120_000);
    expect(steadyStateOccupancy({ udpReplied: 1_000 }, "legacy")).toBe(120_000);
  });

  it("TCP: pooled connections stay, closes sit 120 s in TIME_WAIT", () => {
    const t = new ConntrackTable({ max: 1e6 });
    t.step({ tcpOpened: 10 });
    for (let i = 0; i < 200; i++) t.step({ tcpShortLived: 2 });
    expect(t.occupancy).toBe(10 + 2 * CONNTRACK_TIMEOUTS_S.tcpTimeWait);
    t.step({ tcpClosed: 4 });
    expect(t.established).toBe(6);
    // 6 established + 119 steps of short-lived TIME_WAIT still in + the 4 just closed.
    expect(t.occupancy).toBe(6 + 2 * 119 + 4);
  });

  it("drops new flows when full of ASSURED entries; established ones are kept (docs/sources.md §4.5)", () => {
    const t = new ConntrackTable({ max: 10_000 });
    t.step({ tcpOpened: 10_000 });
    const r = t.step({ udpReplied: 500, udpUnreplied: 100 });
    expect(r.dropped).toBe(600);
    expect(r.acceptedFraction).toBe(0);
    expect(r.earlyDropped).toBe(0);
    expect(t.established).toBe(10_000);
  });

  it("legacy kernels: replied DNS entries are ASSURED, so a DNS flood fills the table and drops", () => {
    const t = new ConntrackTable({ max: 10_000, udpRegime: "legacy" });
    let dropped = 0;
    let last = t.step();
    for (let i = 0; i < 60; i++) {
      last = t.step({ udpReplied: 1_000 });
      dropped += last.dropped;
    }
    expect(t.occupancy).toBeCloseTo(10_000, 6);
    expect(dropped).toBeGreaterThan(40_000);
    expect(last.acceptedFraction).toBeLessThan(0.1);
  });

  it("current kernels: non-ASSURED DNS entries are early-dropped instead, so new DNS flows still get in", () => {
    const t = new ConntrackTable({ max: 10_000 });
    let last = t.step();
    for (let i = 0; i < 60; i++) last = t.step({ udpReplied: 1_000 });
    expect(t.occupancy).toBeCloseTo(10_000, 6);
    expect(last.earlyDropped).toBeGreaterThan(0);
    expect(last.dropped).toBeCloseTo(0, 6);
    // Mostly ASSURED: the scan rarely finds a victim.
    const mixed = new ConntrackTable({ max: 10_000 });
    mixed.step({ tcpOpened: 9_500 });
    for (let i = 0; i < 40; i++) last = mixed.step({ udpReplied: 1_000 });
    expect(last.dropped).toBeGreaterThan(300);
    expect(last.earlyDropped).toBeGreaterThan(0);
  });

  it("never exceeds max nor goes negative", () => {
    const flows = fc.record({
      udpReplied: fc.double({ min: 0, max: 5_000, noNaN: true }),
      udpUnreplied: fc.double({ min: 0, max: 500, noNaN: true }),
      udpStream: fc.double({ min: 0, max: 50, noNaN: true }),
      tcpShortLived: fc.double({ min: 0, max: 100, noNaN: true }),
      tcpOpened: fc.double({ min: 0, max: 100, noNaN: true }),
      tcpClosed: fc.double({ min: 0, max: 100, noNaN: true }),
    });
    fc.assert(
      fc.property(
        fc.array(flows, { minLength: 1, maxLength: 80 }),
        fc.constantFrom("stream-only-assured", "assured-30s", "legacy") as fc.Arbitrary<"legacy">,
        (steps, regime) => {
          const t = new ConntrackTable({ max: 20_000, udpRegime: regime });
          for (const f of steps) {
            const r = t.step(f);
            expect(r.occupancy).toBeLessThanOrEqual(20_000 + 1e-6);
            expect(r.occupancy).toBeGreaterThanOrEqual(0);
            expect(r.dropped).toBeGreaterThanOrEqual(-1e-9);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe("the A/AAAA insertion race (docs/sources.md §4.6)", () => {
  it("fix versions 4.19 / 5.0 / 5.6", () => {
    expect(parseKernelVersion("5.4.0-1043-gke")).toEqual([5, 4, 0]);
    expect(kernelAtLeast("5.10", "5.6")).toBe(true);
    expect(unfixedRaces("4.14.200")).toEqual(["race1", "race2", "race3"]);
    expect(unfixedRaces("4.19.0")).toEqual(["race2", "race3"]);
    expect(unfixedRaces("5.4.0")).toEqual(["race3"]);
    expect(unfixedRaces("5.6")).toEqual([]);
    expect(unfixedRaces("4.15.0-55-generic", { race1: true, race2: true })).toEqual(["race3"]);
  });
  it("race 3 needs more than one DNS backend; no DNAT, no race", () => {
    expect(dnsRaceLossProbability({ kernel: "5.4", dnsBackends: 1 })).toBe(0);
    expect(dnsRaceLossProbability({ kernel: "5.4", dnsBackends: 2 })).toBeCloseTo(0.5 * DNS_RACE_PROBABILITY_PER_PAIR.race3, 15);
    expect(dnsRaceLossProbability({ kernel: "4.9", dnsBackends: 1 })).toBeCloseTo(
      DNS_RACE_PROBABILITY_PER_PAIR.race1 + DNS_RACE_PROBABILITY_PER_PAIR.race2,
      15,
    );
    expect(dnsRaceLossProbability({ kernel: "4.9", dnsBackends: 10, natPath: false })).toBe(0);
    expect(dnsRaceLossProbability({ kernel: "6.1", dnsBackends: 10 })).toBe(0);
    expect(lookupRaceProbability(5, 0.01)).toBeCloseTo(1 - 0.99 ** 5, 15);
  });
});

describe("ConntrackTable.clone", () => {
  it("copies entries and clock; the copies then evolve apart", () => {
    const a = new ConntrackTable({ max: 1000 });
    a.step({ udpReplied: 100 });
    const b = a.clone();
    expect(b.occupancy).toBe(a.occupancy);
    a.step({ udpReplied: 50 });
    b.step({});
    expect(a.occupancy).toBe(150);
    expect(b.occupancy).toBe(100);
  });
});
