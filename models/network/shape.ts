import { lognormalMean } from "../../engine/random.js";
import type { ClusterShape } from "../dns/placement.js";
import type { NetworkConfig } from "./config.js";

/** The cluster as the DNS placements size themselves on it. */
export function clusterShape(config: NetworkConfig): ClusterShape {
  const c = config.cluster;
  const services = c.services.reduce((n, g) => n + g.count, 0);
  // the endpoints CoreDNS caches: the Services' backends as the run starts (growth and shrink are not followed); a
  // lognormal spread of replicas counts at its mean
  const meanReplicas = (r: (typeof c.services)[number]["replicas"]): number => (typeof r === "number" ? r : lognormalMean(r.median, r.p99));
  const endpoints = Math.round(c.services.reduce((n, g) => n + g.count * meanReplicas(g.replicas), 0));
  return {
    nodes: c.nodes,
    coresPerNode: c.coresPerNode,
    zones: c.zones,
    pods: c.nodes * c.podsPerNode,
    services,
    endpoints,
    centralReplicas: config.dns.servers,
    corednsCores: config.dns.corednsCores,
    corednsMemoryLimitMiB: config.dns.corednsMemoryLimit / 1024 ** 2,
  };
}
