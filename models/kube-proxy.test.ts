import { describe, expect, it } from "vitest";
import { Histogram } from "../engine/metrics.js";
import { h, ms, s } from "../engine/time.js";
import { KubeProxyFleet, PUBLISHED_PROXY_COSTS, syncDuration, type KubeProxyConfig } from "./kube-proxy.js";

const flat = { base: 100_000, perService: 0, perEndpoint: 0 }; // every sync takes 100 ms
const v133: KubeProxyConfig = {
  mode: "iptables",
  runner: "v1.33",
  minSyncPeriod: s(1),
  burstSyncs: 2,
  fullSyncPeriod: h(1),
  cost: { partial: flat, full: { ...flat, base: s(5) } },
};
const v134: KubeProxyConfig = { ...v133, runner: "v1.34" };

function fleet(nodes = 1, phase = 0, config = v133): { f: KubeProxyFleet; npl: Histogram } {
  const npl = new Histogram("npl", "s", { scale: 1e6 });
  const f = new KubeProxyFleet(nodes, config, { pooled: npl }, () => phase);
  f.setRuleset(10, 100);
  return { f, npl };
}

/** A change to Service 0 carrying trigger time `trigger`. */
const change = (f: KubeProxyFleet, at: number, trigger: number, service = 0): void => f.receive(0, at, trigger, service, false);

describe("KubeProxyFleet, the v1.34 runner (pkg/proxy/runner, no burst, cooldown from the end of a sync)", () => {
  it("starts a sync at max(change, last end + minSyncPeriod): no burst", () => {
    const { f } = fleet(1, 0, v134);
    change(f, s(10), s(10));
    expect([f.syncStart[0], f.syncEnd[0]]).toEqual([s(10), s(10.1)]);
    change(f, s(10.2), s(10.2));
    expect(f.syncStart[0]).toBe(s(11.1)); // 10.1 + 1 s; the old runner's second token would have started it at 10.2
    change(f, s(10.5), s(10.5)); // during the cooldown: joins the pending sync
    expect(f.syncs).toBe(2);
    change(f, s(20), s(20)); // long idle: at once
    expect(f.syncStart[0]).toBe(s(20));
  });

  it("keeps the full cooldown after a sync that outlasts minSyncPeriod (the timer is reset when the sync returns)", () => {
    const slow = { base: s(2.5), perService: 0, perEndpoint: 0 };
    const { f } = fleet(1, 0, { ...v134, cost: { partial: slow, full: slow } });
    change(f, s(0), s(0)); // [0, 2.5]
    change(f, s(0.5), s(0.5)); // arrives during the sync
    expect(f.syncStart[0]).toBe(s(3.5));
    const old = fleet(1, 0, { ...v133, cost: { partial: slow, full: slow } }).f;
    change(old, s(0), s(0));
    change(old, s(0.5), s(0.5));
    expect(old.syncStart[0]).toBe(s(2.5)); // token bucket, start to start: right after the sync ends
  });
});

describe("KubeProxyFleet, the v1.33 runner (pkg/util/async token bucket, burst 2)", () => {
  it("syncs at once for the first two changes (burst 2), then at most once per minSyncPeriod, start to start", () => {
    const { f } = fleet();
    change(f, s(10), s(10));
    expect([f.syncStart[0], f.syncEnd[0]]).toEqual([s(10), s(10.1)]);
    change(f, s(10.2), s(10.2));
    expect(f.syncStart[0]).toBe(s(10.2)); // second token of the burst
    change(f, s(10.4), s(10.4));
    // 0.2 token was left at 10.2 s and 0.2 refilled by 10.4 s: the next whole token is due at 11 s
    expect(f.syncStart[0]).toBe(s(11));
    expect(f.syncs).toBe(3);
  });

  it("lets changes that arrive before a pending sync starts join it, and records NPL from each trigger", () => {
    const { f, npl } = fleet();
    change(f, s(1), s(1)); // sync [1, 1.1]
    change(f, s(1.5), s(1.5)); // second burst token: sync [1.5, 1.6]
    change(f, s(1.6), s(1.55)); // 0.6 token: sync [2.0, 2.1]
    change(f, s(2), s(1.9)); // arrives as that sync starts: joins it
    change(f, s(2.5), s(2.4)); // sync [3.0, 3.1]
    f.finish();
    expect(f.syncs).toBe(4);
    expect(npl.count).toBe(5);
    expect(npl.percentile(50)).toBeCloseTo(0.2, 2);
    expect(npl.percentile(100)).toBeCloseTo(3.1 - 2.4, 2);
  });

  it("never overlaps syncs: a change during a sync waits for its end", () => {
    const { f } = fleet();
    change(f, s(0), s(0));
    change(f, ms(50), ms(50));
    expect(f.syncStart[0]).toBe(s(0.1));
  });
});

describe("KubeProxyFleet, trigger times", () => {
  it("records no sample for objects without a trigger time", () => {
    const { f, npl } = fleet();
    change(f, s(1), Number.NaN);
    f.finish();
    expect([f.syncs, npl.count]).toEqual([1, 0]);
  });

  it("drops the Service's pending trigger times when one of its slices is deleted before the sync (endpointschangetracker.go)", () => {
    const { f, npl } = fleet(1, 0, v134);
    change(f, s(10), s(10), 1); // sync [10, 10.1]: programs it
    change(f, s(10.2), s(10.2), 1); // pending sync at 11.1
    change(f, s(10.3), s(10.25), 2);
    f.receive(0, s(10.5), Number.NaN, 1, true); // Service 1's slice deleted: its 10.2 s trigger is dropped
    f.receive(0, s(11.15), Number.NaN, 2, true); // after the sync started: Service 2's time was already checked out
    f.finish();
    expect(f.droppedTriggers).toBe(1);
    expect(npl.count).toBe(2);
    expect(npl.max).toBeCloseTo(11.2 - 10.25, 3);
  });

  it("runs a full resync when the last one is older than FullSyncPeriod", () => {
    const { f } = fleet(2, -h(1) + s(30));
    change(f, s(10), s(10));
    expect(f.syncEnd[0] - f.syncStart[0]).toBe(ms(100));
    change(f, s(31), s(31));
    expect(f.syncEnd[0] - f.syncStart[0]).toBe(s(5));
    expect(f.fullSyncs).toBe(1);
  });

  it("prices iptables syncs from the published data points", () => {
    // kubernetes#138073: 3,595 Services and 138,792 endpoints took 2.84 s to partially sync
    expect(syncDuration(PUBLISHED_PROXY_COSTS.iptables.partial, 3595, 138_792) / 1e6).toBeCloseTo(2.87, 1);
    // kubernetes#96018: 695,992 iptables-restore lines in 12.77 s; 2 + 3N lines per Service of N endpoints
    expect(syncDuration(PUBLISHED_PROXY_COSTS.iptables.full, 100, 231_930) / 1e6).toBeCloseTo(12.8, 0);
  });
});
