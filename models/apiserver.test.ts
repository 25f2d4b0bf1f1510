import { describe, expect, it } from "vitest";
import { Histogram } from "../engine/metrics.js";
import { Simulation } from "../engine/simulation.js";
import { h, ms, s } from "../engine/time.js";
import { Apiserver, buildCohorts, DNS, type ApiserverConfig, type ChangeEvent } from "./apiserver.js";
import { KubeProxyFleet } from "./kube-proxy.js";

function setup(nodes: number, dns: number, config: Partial<ApiserverConfig> = {}, listBytes = 0, cohortSize = 1) {
  const cohorts = buildCohorts(nodes, () => 0, 1, cohortSize);
  const sim = new Simulation();
  const npl = new Histogram("npl", "s", { scale: 1e6 });
  const zero = { base: 0, perService: 0, perEndpoint: 0 };
  const proxies = new KubeProxyFleet(
    cohorts.count,
    { mode: "iptables", runner: "v1.33", minSyncPeriod: s(1), burstSyncs: 2, fullSyncPeriod: h(1), cost: { partial: zero, full: zero } },
    { pooled: npl },
    () => 0,
    cohorts.weight,
  );
  const dnsSeen: number[] = [];
  const api = new Apiserver(
    sim,
    { replicas: 1, egressBytesPerSecond: 1e6, bufferEvents: 200, relistDelay: s(1), cacheWindow: s(75), dispatchDelay: 0, ...config },
    cohorts,
    { kubeProxy: ["endpointslices"], dnsServers: dns, dns: ["endpointslices"], endpointsConsumers: 0, controllerInformer: false },
    proxies,
    (_resource, cls) => (cls === DNS ? listBytes * 2 : listBytes),
    { receive: (_i, arrival) => dnsSeen.push(arrival) },
  );
  return { sim, api, proxies, npl, dnsSeen };
}

const change = (bytes: number, proxied = true, trigger = 0): ChangeEvent => ({
  resource: "endpointslices",
  proxyBytes: bytes,
  dnsBytes: bytes,
  bytes,
  proxied,
  trigger,
});

describe("Apiserver watch fan-out", () => {
  it("sends every change to every matching watcher: bytes = size x watchers", () => {
    const { sim, api } = setup(100, 2, { replicas: 3 });
    api.publish(change(1000));
    sim.run();
    expect(api.deliveries).toBe(102);
    expect(api.bytes).toBe(102_000);
    expect(api.serializations).toBe(3); // once per replica
    expect(Math.max(...api.bytesPerWatcher)).toBe(1000);
  });

  it("keeps headless Services' objects away from kube-proxies (DNS still gets them)", () => {
    const { sim, api, dnsSeen } = setup(10, 1);
    api.publish(change(500, false));
    sim.run();
    expect(api.deliveries).toBe(1);
    expect(dnsSeen).toHaveLength(1);
  });

  it("queues deliveries on the replica's egress link in watcher order", () => {
    const { sim, api, proxies } = setup(3, 0); // 1 MB/s: 1000 bytes take 1 ms
    api.publish(change(1000, true, 0));
    sim.run();
    // arrivals at 1, 2, 3 ms; the first two changes of a node sync at once
    expect(Array.from(proxies.syncStart)).toEqual([ms(1), ms(2), ms(3)]);
  });

  it("closes a watcher that falls more than bufferEvents behind; it resumes from the cache's history", () => {
    // 2 nodes, buffer of 2 events; each event takes 1 s to send to one watcher
    const { sim, api, npl, proxies } = setup(2, 0, { bufferEvents: 2, relistDelay: s(1) }, 5e5);
    for (let i = 0; i < 4; i++) sim.schedule(ms(10 * i), () => api.publish(change(1e6, true, sim.now)));
    sim.run();
    proxies.finish();
    expect(api.resumes).toBeGreaterThan(0);
    expect(api.resentEvents).toBeGreaterThan(0);
    expect(api.relists).toBe(0);
    expect(npl.count).toBe(8); // every change reached every node, live or sent again
  });

  it("relists through the same link when the missed changes are older than the cache keeps", () => {
    const { sim, api, npl, proxies } = setup(2, 0, { bufferEvents: 2, relistDelay: s(1), cacheWindow: 0 }, 5e5);
    for (let i = 0; i < 4; i++) sim.schedule(ms(10 * i), () => api.publish(change(1e6, true, sim.now)));
    sim.run();
    proxies.finish();
    expect(api.relists).toBeGreaterThan(0);
    expect(api.relistBytes).toBe(api.relists * 5e5);
    expect(npl.count).toBe(8);
  });

  it("counts a cohort of nodes as that many deliveries, bytes and samples, sent back to back", () => {
    const exact = setup(10, 0, {}, 0, 1);
    const grouped = setup(10, 0, {}, 0, 4); // cohorts of 4, 4, 2
    for (const x of [exact, grouped]) {
      x.api.publish(change(1000, true, 0));
      x.sim.run();
      x.proxies.finish();
    }
    expect(grouped.api.deliveries).toBe(exact.api.deliveries);
    expect(grouped.api.bytes).toBe(exact.api.bytes);
    expect(grouped.npl.count).toBe(exact.npl.count);
    expect(grouped.proxies.syncs).toBe(exact.proxies.syncs);
    expect(grouped.api.maxNodeBytes()).toBe(1000);
    // the last node of each cohort: 4, 8, 10 ms, as the exact run's 4th, 8th and 10th node
    expect(Array.from(grouped.proxies.syncStart)).toEqual([ms(4), ms(8), ms(10)]);
    expect(grouped.npl.percentile(100)).toBe(exact.npl.percentile(100));
  });

  it("groups the DNS servers of each replica into one weighted watch: same deliveries, bytes and egress per replica", () => {
    for (const [nodes, dns] of [
      [7, 11],
      [3, 2],
      [10, 938],
    ]) {
      const exact = setup(nodes, dns, { replicas: 3 });
      const grouped = setup(nodes, dns, { replicas: 3, groupDnsWatchers: true });
      for (const x of [exact, grouped]) {
        for (let i = 0; i < 5; i++) x.api.publish(change(1000 + i));
        x.sim.run();
      }
      expect(grouped.api.deliveries).toBe(exact.api.deliveries);
      expect(grouped.api.bytes).toBe(exact.api.bytes);
      expect(grouped.api.currentBacklog()).toBe(exact.api.currentBacklog());
      expect(grouped.api.maxBacklog).toBe(exact.api.maxBacklog); // each replica's queue ends at the same time
      expect(grouped.dnsSeen.length).toBe(5 * Math.min(dns, 3)); // one call per watch: a group per replica
    }
  });

  it("delivers nothing to a node that is down and relists it when it returns, without NPL samples for the gap", () => {
    const { sim, api, npl, proxies } = setup(2, 0, {}, 100);
    api.setNodeUp(1, false);
    api.publish(change(10, true, 0));
    sim.run();
    expect(api.deliveries).toBe(1);
    api.setNodeUp(1, true);
    sim.run();
    expect(api.relists).toBe(1);
    proxies.finish();
    expect(npl.count).toBe(1);
  });
});
