import { describe, expect, it } from "vitest";
import { Histogram } from "../engine/metrics.js";
import { h, ms, s } from "../engine/time.js";
import { KubeProxyFleet, PROXY_COSTS, syncDuration, type KubeProxyConfig } from "./kube-proxy.js";

const flat = { base: 100_000, perService: 0, perEndpoint: 0 }; // every sync takes 100 ms
const config: KubeProxyConfig = { mode: "iptables", minSyncPeriod: s(1), burstSyncs: 2, fullSyncPeriod: h(1), cost: { partial: flat, full: { ...flat, base: s(5) } } };

function fleet(nodes = 1, phase = 0): { f: KubeProxyFleet; npl: Histogram } {
  const npl = new Histogram("npl", "s", { scale: 1e6 });
  const f = new KubeProxyFleet(nodes, config, npl, () => phase);
  f.setRuleset(10, 100);
  return { f, npl };
}

describe("KubeProxyFleet", () => {
  it("syncs at once for the first two changes (burst 2), then at most once per minSyncPeriod, start to start", () => {
    const { f } = fleet();
    f.receive(0, s(10), s(10));
    expect([f.syncStart[0], f.syncEnd[0]]).toEqual([s(10), s(10.1)]);
    f.receive(0, s(10.2), s(10.2));
    expect(f.syncStart[0]).toBe(s(10.2)); // second token of the burst
    f.receive(0, s(10.4), s(10.4));
    // 0.2 token was left at 10.2 s and 0.2 refilled by 10.4 s: the next whole token is due at 11 s
    expect(f.syncStart[0]).toBe(s(11));
    expect(f.syncs).toBe(3);
  });

  it("lets changes that arrive before a pending sync starts join it, and records NPL from each trigger", () => {
    const { f, npl } = fleet();
    f.receive(0, s(1), s(1)); // sync [1, 1.1]
    f.receive(0, s(1.5), s(1.5)); // second burst token: sync [1.5, 1.6]
    f.receive(0, s(1.6), s(1.55)); // 0.6 token: sync [2.0, 2.1]
    f.receive(0, s(2), s(1.9)); // arrives as that sync starts: joins it
    f.receive(0, s(2.5), s(2.4)); // sync [3.0, 3.1]
    expect(f.syncs).toBe(4);
    expect(npl.count).toBe(5);
    expect(npl.percentile(50)).toBeCloseTo(0.2, 2);
    expect(npl.percentile(100)).toBeCloseTo(3.1 - 2.4, 2);
  });

  it("never overlaps syncs: a change during a sync waits for its end", () => {
    const { f } = fleet();
    f.receive(0, s(0), s(0));
    f.receive(0, ms(50), ms(50));
    expect(f.syncStart[0]).toBe(s(0.1));
  });

  it("records no sample for objects without a trigger time", () => {
    const { f, npl } = fleet();
    f.receive(0, s(1), Number.NaN);
    expect([f.syncs, npl.count]).toEqual([1, 0]);
  });

  it("runs a full resync when the last one is older than FullSyncPeriod", () => {
    const { f } = fleet(2, -h(1) + s(30));
    f.receive(0, s(10), s(10));
    expect(f.syncEnd[0] - f.syncStart[0]).toBe(ms(100));
    f.receive(0, s(31), s(31));
    expect(f.syncEnd[0] - f.syncStart[0]).toBe(s(5));
    expect(f.fullSyncs).toBe(1);
  });

  it("prices iptables syncs from the published data points", () => {
    // kubernetes#138073: 3,595 Services and 138,792 endpoints took 2.84 s to partially sync
    expect(syncDuration(PROXY_COSTS.iptables.partial, 3595, 138_792) / 1e6).toBeCloseTo(2.87, 1);
    // kubernetes#96018: 695,992 iptables-restore lines in 12.77 s; 2 + 3N lines per Service of N endpoints
    expect(syncDuration(PROXY_COSTS.iptables.full, 100, 231_930) / 1e6).toBeCloseTo(12.8, 0);
  });
});
