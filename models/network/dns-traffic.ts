/** The DNS traffic part: the traffic model started with the workload's DNS faults, and what it reports. */
import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import type { ModelContext } from "../context.js";
import { apiWatchers, type ClusterShape, type DnsPlacement, placementCost } from "../dns/placement.js";
import { type DnsFault, DnsTraffic } from "../dns/traffic.js";
import { conntrackMax } from "../conntrack.js";
import type { ModelMetrics } from "../metrics.js";
import type { NetworkConfig } from "./config.js";
import { CDF_QUANTILES } from "./control-plane-metrics.js";
import { clusterShape } from "./shape.js";

/** What the placement costs whether or not traffic runs. */
export function reportPlacement(out: ModelMetrics, placement: DnsPlacement, shape: ClusterShape): void {
  const cost = placementCost(placement, shape);
  out.put("dns.placement.instances", cost.instances);
  out.put("dns.api_watchers", apiWatchers(placement, shape).instances);
  out.put("dns.cpu_request_cores", cost.cpuRequestMillicores / 1000);
}

/** The traffic's end-of-run metrics. */
export function collectDnsMetrics(out: ModelMetrics, dns: DnsTraffic, placement: DnsPlacement, shape: ClusterShape, config: NetworkConfig): void {
  const cost = placementCost(placement, shape);
  const traced = Math.max(1, dns.traced);
  out.put("dns.queries_per_lookup", dns.queriesPerLookup);
  out.put("dns.upstream_qps.max", dns.peakCentralQps);
  out.put("dns.external_qps.max", dns.peakExternalQps);
  out.put("dns.latency.p50_ms", dns.latency.percentile(50));
  out.put("dns.latency.p99_ms", dns.latency.percentile(99));
  out.put("dns.latency.p999_ms", dns.latency.percentile(99.9));
  out.put("dns.latency.max_ms", dns.latency.max);
  for (const q of CDF_QUANTILES) out.put("dns.latency_ms@q{q}", dns.latency.percentile(q * 100), { q });
  out.put("dns.lookups", Math.round(dns.lookups));
  out.put("dns.traced_lookups", dns.traced);
  out.put("dns.sample_rate", config.dns.sampleRate);
  // failures and race timeouts are counted on the traced lookups and scaled to all lookups
  out.put("dns.failures", Math.round((dns.tracedFailures / traced) * dns.lookups));
  out.put("dns.race_timeouts", Math.round((dns.tracedRaceTimeouts / traced) * dns.lookups));
  out.put(
    "dns.coredns.replicas",
    placement
      .components(shape)
      .filter((g) => g.component === "coredns")
      .reduce((n, g) => n + g.count, 0),
  );
  out.put("dns.coredns.dropped_queries", Math.round(dns.corednsDropped));
  out.put("dns.cpu_cores", dns.cpuCoreSeconds / (config.duration / 1e6));
  out.put("dns.memory_bytes", Math.round(cost.memoryMB * 1e6));
  const coredns = placement.components(shape).find((g) => g.component === "coredns");
  if (coredns !== undefined) {
    out.put("dns.coredns.memory_bytes", Math.round(coredns.memoryMB * 1e6));
    out.put("dns.coredns.memory_limit_bytes", (coredns.memoryLimitMiB ?? 0) * 1024 ** 2);
  }
  out.put("dns.coredns.oom_kills", dns.oomKills);
  out.put("conntrack.max_entries", conntrackMax(config.cluster.coresPerNode));
  out.put("conntrack.peak_entries.max_node", Math.round(dns.peakConntrack));
  out.put("conntrack.drops", Math.round(dns.conntrackDrops));
}

/** Nodes up at a time: all but those of zones a zone-outage step holds down, from its start for its duration. */
function nodesUpTimeline(config: NetworkConfig): (t: Micros) => number {
  const { nodes, zones } = config.cluster;
  const zoneSize = (z: number): number => Math.floor(nodes / zones) + (z < nodes % zones ? 1 : 0);
  const outages = config.workload.filter((w) => w.action === "zone-outage");
  return (t) => {
    const down = new Set<number>();
    for (const o of outages) if (o.at <= t && t < o.at + o.duration && o.zone < zones) down.add(o.zone);
    let n = nodes;
    for (const z of down) n -= zoneSize(z);
    return n;
  };
}

/** The DNS traffic model, started with the workload's DNS faults; nodes follow the zone outages. */
export function startDns(sim: Simulation, config: NetworkConfig, placement: DnsPlacement, rng: ModelContext["rng"]): DnsTraffic {
  const c = config.cluster;
  const timeline = nodesUpTimeline(config);
  const nodesUp = (): number => timeline(sim.now);
  const dns = new DnsTraffic(
    sim,
    { nodes: c.nodes, zones: c.zones, coresPerNode: c.coresPerNode, podsPerNode: c.podsPerNode, nodesUp },
    {
      placement,
      kubeProxyMode: config.kubeProxy.mode === "ipvs" ? "ipvs" : "iptables",
      resolver: config.dns.resolver,
      lookupsPerPodPerSecond: config.dns.lookupsPerPodPerSecond,
      mix: config.dns.mix,
      namesPerNode: config.dns.namesPerNode,
      externalNames: config.dns.externalNames,
      hostSearchDomains: config.dns.hostSearchDomains,
      kernel: config.dns.kernel,
      corednsReplicas: placement.firstTier === "node-coredns" && placement.clusterUpstream === null ? 0 : config.dns.servers,
      shape: clusterShape(config),
      step: config.dns.step,
      sampleRate: config.dns.sampleRate,
      latencyMs: config.dns.latencyMs,
      externalTtlS: config.dns.externalTtl / 1e6,
    },
    rng.stream("dns/trace"),
  );
  const faults: DnsFault[] = [];
  for (const w of config.workload) {
    if (w.action === "dns-rollout") faults.push({ kind: "rollout", at: w.at, maxUnavailable: placement.rolloutMaxUnavailable ?? 0, window: w.window });
    else if (w.action === "coredns-loss") faults.push({ kind: "coredns-loss", at: w.at, replicas: w.replicas, duration: w.duration });
    else if (w.action === "dns-cache-oom") faults.push({ kind: "cache-oom", at: w.at, nodes: w.nodes, window: w.window });
  }
  dns.start(config.duration, faults);
  return dns;
}
