import { describe, expect, it } from "vitest";
import { planScenario } from "../../bench/load.js";
import { runScenario } from "../../bench/runner.js";
import base from "../../test/fixtures/small-dns.js";
import { RandomStreams } from "../../engine/random.js";
import { Simulation } from "../../engine/simulation.js";
import { s } from "../../engine/time.js";
import type { DnsPlacement } from "./placement.js";
import { getPlacement } from "./placements/index.js";
import { DnsTraffic } from "./traffic.js";

/** Runs the small DNS scenario with overrides, one variant per placement given, and returns a metric getter. */
function run(overrides: Record<string, unknown>, placements: string[]) {
  const r = runScenario(planScenario({ ...base, ...overrides, variants: { "dns.placement": placements } }, "small-dns"));
  return (placement: string, metric: string): number => r.rows.find((x) => x.variant === `dns.placement=${placement}` && x.metric === metric)!.value;
}

describe("DNS traffic", () => {
  it("derives queries per lookup from the resolver and routes them per placement", () => {
    const get = run({ workload: [] }, ["central", "central-autopath", "nodelocal"]);
    // 200 nodes x 30 pods x 1 lookup/s, every query at central CoreDNS
    expect(get("central", "dns.upstream_qps.max")).toBeCloseTo(6000 * get("central", "dns.queries_per_lookup"), 0);
    // autopath: one candidate per lookup, A and AAAA
    expect(get("central-autopath", "dns.queries_per_lookup")).toBe(2);
    // a node cache answers most cluster queries itself, and nothing is conntracked between pod and cache
    expect(get("nodelocal", "dns.upstream_qps.max")).toBeLessThan(0.5 * get("central", "dns.upstream_qps.max"));
    expect(get("nodelocal", "conntrack.peak_entries.max_node")).toBeLessThan(0.1 * get("central", "conntrack.peak_entries.max_node"));
    expect(get("nodelocal", "dns.failures")).toBe(0);
  }, 60_000);

  it("fails lookups when every CoreDNS replica is lost (central), and times out on the 5 s resolver clock", () => {
    const get = run({ workload: [{ at: "2m", action: "coredns-loss", replicas: 1000, duration: "1m" }] }, ["central", "nodelocal"]);
    expect(get("central", "dns.failures")).toBeGreaterThan(0);
    expect(get("central", "dns.latency.max_ms")).toBeGreaterThanOrEqual(5000);
    // node caches keep answering what they hold; misses fail with SERVFAIL
    expect(get("nodelocal", "dns.failures")).toBeLessThan(get("central", "dns.failures"));
  }, 60_000);

  it("a NodeLocal rollout falls back to kube-dns in iptables mode and fails DNS in IPVS mode", () => {
    const rollout = { workload: [{ at: "1m", action: "dns-rollout", window: "20s" }] };
    const iptables = run(rollout, ["nodelocal"]);
    const ipvs = run({ ...rollout, kubeProxy: { mode: "ipvs" } }, ["nodelocal"]);
    expect(iptables("nodelocal", "dns.failures")).toBe(0);
    expect(ipvs("nodelocal", "dns.failures")).toBeGreaterThan(0);
  }, 60_000);

  it("loses A/AAAA pairs to the conntrack race on kernels before 4.19 behind DNAT, not behind NOTRACK", () => {
    const get = run({ workload: [], dns: { lookupsPerPodPerSecond: 1, sampleRate: 0.05, kernel: "4.14" } }, ["central", "nodelocal"]);
    expect(get("central", "dns.race_timeouts")).toBeGreaterThan(0);
    expect(get("nodelocal", "dns.race_timeouts")).toBe(0);
  }, 60_000);

  it("drops new flows when a node's conntrack table is full", () => {
    // 2 cores: 131,072 entries; 200 lookups/s from each of 30 pods fill it within the UDP timeout
    const get = run(
      { workload: [], cluster: { nodes: 20, zones: 1, coresPerNode: 2 }, dns: { lookupsPerPodPerSecond: 200, sampleRate: 0.001, corednsCores: 64 } },
      ["central"],
    );
    expect(get("central", "conntrack.drops")).toBeGreaterThan(0);
    expect(get("central", "conntrack.peak_entries.max_node")).toBeGreaterThanOrEqual(131_072 * 0.99);
    // a CoreDNS host has one table for its own pods' flows and the ones it serves: never more than nf_conntrack_max
    expect(get("central", "conntrack.peak_entries.max_node")).toBeLessThanOrEqual(131_072);
  }, 60_000);

  it("OOM-kills CoreDNS whose cache of the API outgrows its memory limit, and restarts it after kubelet's backoff", () => {
    // 60 MiB = 62.9 MB. Default `pods insecure`: (200 endpoints + 20 Services) / 1000 + 54 = 54.2 MB fits. Autopath
    // (`pods verified`) caches all 6,000 pods: (6,000 + 20) / 250 + 56 = 80.1 MB does not; in 10 min each replica is
    // killed at 0, 10, 30, 70, 150 and 310 s (backoff 10 s doubling, 300 s at most) and never serves
    const get = run({ workload: [], dns: { lookupsPerPodPerSecond: 1, sampleRate: 0.01, corednsMemoryLimit: "60Mi" } }, [
      "central",
      "central-autopath",
      "coredns-daemonset",
    ]);
    expect(get("central", "dns.coredns.oom_kills")).toBe(0);
    expect(get("central", "dns.failures")).toBe(0);
    expect(get("central-autopath", "dns.coredns.oom_kills")).toBe(6 * get("central-autopath", "dns.coredns.replicas"));
    expect(get("central-autopath", "dns.failures")).toBe(get("central-autopath", "dns.lookups"));
    expect(get("coredns-daemonset", "dns.coredns.oom_kills")).toBe(0);
    // at 50 MiB (52.4 MB) the per-node CoreDNS of the DaemonSet placement does not fit either: every node loses DNS
    const small = run({ workload: [], dns: { lookupsPerPodPerSecond: 1, sampleRate: 0.01, corednsMemoryLimit: "50Mi" } }, ["coredns-daemonset"]);
    expect(small("coredns-daemonset", "dns.coredns.oom_kills")).toBe(6 * 200);
    expect(small("coredns-daemonset", "dns.failures")).toBe(small("coredns-daemonset", "dns.lookups"));
  }, 60_000);
});

describe("DNS traffic reads the placement's declaration", () => {
  /** One minute of 100 nodes' lookups through `placement`; what reached central CoreDNS and the busiest table. */
  function oneMinute(placement: DnsPlacement): { centralQps: number; conntrackPeak: number } {
    const sim = new Simulation();
    const shape = { nodes: 100, coresPerNode: 16, zones: 1, pods: 3000, services: 10, endpoints: 100 };
    const dns = new DnsTraffic(
      sim,
      { nodes: 100, zones: 1, coresPerNode: 16, podsPerNode: 30, nodesUp: () => 100 },
      {
        placement,
        kubeProxyMode: "iptables",
        resolver: "glibc",
        lookupsPerPodPerSecond: 1,
        mix: { sameNamespace: 0.45, otherNamespace: 0.15, clusterFqdn: 0.05, external: 0.3, headless: 0.05 },
        namesPerNode: { sameNamespace: 10, otherNamespace: 10, clusterFqdn: 5, external: 20, headless: 3 },
        externalNames: 1000,
        hostSearchDomains: 1,
        kernel: "5.15",
        shape,
        corednsReplicas: 5,
        step: s(1),
        sampleRate: 0,
        latencyMs: { sameNode: 0.05, cluster: 0.25, upstream: 1 },
        externalTtlS: 60,
      },
      new RandomStreams(1).stream("dns/trace"),
    );
    dns.start(s(60), []);
    sim.run({ until: s(60) });
    return { centralQps: dns.peakCentralQps, conntrackPeak: dns.peakConntrack };
  }

  it("caches no more keys than the placement's cache capacity holds", () => {
    const nodelocal = getPlacement("nodelocal");
    const tiny = { ...nodelocal, firstTierCache: { ...nodelocal.firstTierCache!, successCapacity: 1, denialCapacity: 1 } };
    const full = oneMinute(nodelocal).centralQps;
    const starved = oneMinute(tiny).centralQps;
    // with room for one key of the hundreds a node looks up, nearly every cluster query is a miss
    expect(starved).toBeGreaterThan(3 * full);
  });

  it("forwards cluster misses over the declared transport: a UDP upstream puts a conntrack entry per miss", () => {
    const nodelocal = getPlacement("nodelocal");
    const udp = { ...nodelocal, clusterUpstream: { ...nodelocal.clusterUpstream!, transport: "udp" as const } };
    expect(oneMinute(udp).conntrackPeak).toBeGreaterThan(10 * oneMinute(nodelocal).conntrackPeak);
  });
});
