/**
 * The network model in two parts that share nothing but their configuration, each on its own clock:
 * - the control plane (`runControlPlane`, control-plane.ts): the cluster's own machinery, the endpoints controllers,
 *   the apiserver, etcd, the watch fan-out and kube-proxy on every node;
 * - the DNS traffic (`runDns`, dns-traffic.ts): pods' lookups, the DNS placement's caches and CoreDNS, conntrack. It
 *   depends on the control plane only through which nodes are up, a function of the workload's zone outages.
 * So variants that differ only in what one part reads run that part once (`networkParts` names what each reads).
 */
import type { ModelContext } from "../context.js";
import { apiWatchers } from "../dns/placement.js";
import { getPlacement } from "../dns/placements/index.js";
import { ModelMetrics } from "../metrics.js";
import type { NetworkConfig } from "./config.js";
import { buildControlPlane } from "./control-plane.js";
import { collectControlPlaneMetrics, PhaseTotals, sampleControlPlane } from "./control-plane-metrics.js";
import { collectDnsMetrics, reportPlacement, startDns } from "./dns-traffic.js";
import { clusterShape } from "./shape.js";

/** The keys of the two parts: variants with equal keys have equal results for that part. */
export function networkParts(config: NetworkConfig): { controlPlane: string; dns: string } {
  const placement = getPlacement(config.dns.placement);
  const watch = apiWatchers(placement, clusterShape(config));
  const { dns, ...rest } = config;
  return {
    // the control plane sees the DNS servers only as watchers of the API
    controlPlane: JSON.stringify({ ...rest, dns: { contentType: dns.contentType, watchers: watch } }),
    dns: JSON.stringify({
      dns,
      cluster: { nodes: config.cluster.nodes, zones: config.cluster.zones, coresPerNode: config.cluster.coresPerNode, podsPerNode: config.cluster.podsPerNode },
      kubeProxyMode: config.kubeProxy.mode,
      duration: config.duration,
      interval: config.metrics.interval,
      outages: config.workload.filter(
        (w) => w.action === "zone-outage" || w.action === "dns-rollout" || w.action === "coredns-loss" || w.action === "dns-cache-oom",
      ),
    }),
  };
}

export function runControlPlane(config: NetworkConfig, ctx: ModelContext): void {
  const out = new ModelMetrics(ctx.metrics);
  const cp = buildControlPlane(config, ctx);
  sampleControlPlane(out, cp, ctx.sim, config);
  const phases = new PhaseTotals(ctx.sim, cp);
  ctx.sim.run({ until: config.duration, onProgress: () => ctx.progress(ctx.sim.now / Math.max(1, config.duration)), progressEvery: 1 << 14 });
  cp.proxies.finish();
  phases.finish();
  collectControlPlaneMetrics(out, cp, phases, config);
}

/**
 * The DNS traffic of the cluster: every pod's lookups through the placement's caches and servers, with the DNS faults
 * of the workload and the nodes its zone outages take down (down from the step's start for its duration).
 */
export function runDns(config: NetworkConfig, ctx: ModelContext): void {
  const { sim } = ctx;
  const out = new ModelMetrics(ctx.metrics);
  const placement = getPlacement(config.dns.placement);
  const shape = clusterShape(config);
  reportPlacement(out, placement, shape);
  if (config.dns.lookupsPerPodPerSecond <= 0) return;
  const dns = startDns(sim, config, placement, ctx.rng);
  out.series("dns.coredns_qps", () => dns.centralQps);
  out.series("conntrack.entries.max_node", () => dns.maxConntrackNow);
  out.sampleEvery(sim, config.metrics.interval, config.duration);
  sim.run({ until: config.duration, onProgress: () => ctx.progress(sim.now / Math.max(1, config.duration)), progressEvery: 1 << 14 });
  collectDnsMetrics(out, dns, placement, shape, config);
}
