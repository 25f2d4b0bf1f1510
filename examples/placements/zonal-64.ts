/**
 * A DNS placement plugin: the built-in per-zone caches, sized one per 64 nodes (at least 2 per zone) instead of one
 * per 16. A placement is data: spread a built-in and change what differs; the traffic model reads every field.
 *
 *   dns: { placement: "../examples/placements/zonal-64.ts" }      (in a scenario under scenarios/)
 */
import type { ClusterShape, DnsPlacement } from "../../models/dns/placement.js";
import { zonal } from "../../models/dns/placements/zonal.js";

function cachesPerZone(cluster: ClusterShape): number {
  return Math.max(2, Math.ceil(cluster.nodes / Math.max(1, cluster.zones) / 64));
}

const placement: DnsPlacement = {
  ...zonal,
  name: "zonal-64",
  summary: "per-zone caches, one per 64 nodes",
  components: (cluster) =>
    zonal.components(cluster).map((g) => (g.tier === "zonal-cache" ? { ...g, count: Math.max(1, cluster.zones) * cachesPerZone(cluster) } : g)),
};

export default placement;
