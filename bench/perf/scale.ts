/**
 * `npm run bench:scale`: a Deployment rolling update (maxSurge 25%, maxUnavailable 25%) of one 20,000-endpoint
 * Service with EndpointSlices, at 1k, 5k and 15k nodes (add 65k and 100k with --large), each in its own process so
 * its peak RSS is its own. Prints wall time, peak RSS, watch deliveries (changes x watchers) and the cost per
 * delivery, which stays about flat when cost grows linearly with nodes x changes. Figures only; no assertion.
 *
 * usage: npm run bench:scale -- [--large] [--nodes 1000,5000]
 */
import { metricName } from "../../models/metrics.js";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { planScenario } from "../load.js";
import { runScenario } from "../runner.js";
import type { ScenarioInput } from "../schema.js";

export function rollingUpdateScenario(nodes: number): ScenarioInput {
  return {
    name: `scale-${nodes}`,
    model: "network",
    seed: 1,
    duration: "15m",
    cluster: { nodes, zones: 3 },
    services: [{ name: "big", replicas: 20_000 }],
    // the whole keyspace (Nodes, Leases, 30 pods per node) outgrows etcd's 2 GiB default from ~10k nodes and
    // NOSPACE would freeze the cluster: this bench measures the simulator, so etcd gets room
    etcd: { quotaBytes: "64GiB" },
    workload: [{ name: "rolling-update", at: "30s", action: "rolling-update", services: "big" }],
    metrics: { interval: "60s" },
  };
}

interface Figures {
  nodes: number;
  wall_s: number;
  max_rss_mb: number;
  sim_events: number;
  slice_writes: number;
  deliveries: number;
  npl_samples: number;
  npl_p99_s: number;
}

function child(nodes: number): Figures {
  const loaded = planScenario(rollingUpdateScenario(nodes), `scale-${nodes}`);
  const t0 = process.hrtime.bigint();
  let events = 0;
  const r = runScenario(loaded, { onVariantDone: (o) => (events += o.events) });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  const get = (m: string): number => r.rows.find((x) => x.metric === m)?.value ?? Number.NaN;
  return {
    nodes,
    wall_s: Number(wall.toFixed(2)),
    max_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    sim_events: events,
    slice_writes: get(metricName("etcd.writes.{kind}", { kind: "endpointslices" })),
    deliveries: get(metricName("watch.events")),
    npl_samples: get(metricName("npl.samples")),
    npl_p99_s: get(metricName("npl.p99_s")),
  };
}

const args = process.argv.slice(2);
const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
if (!isMain) {
  // imported (by a test or a profiler): export only
} else if (args[0] === "--child") {
  process.stdout.write(`${JSON.stringify(child(Number(args[1])))}\n`);
} else {
  const at = args.indexOf("--nodes");
  const sizes = at >= 0 ? args[at + 1].split(",").map(Number) : [1000, 5000, 15_000, ...(args.includes("--large") ? [65_000, 100_000] : [])];
  const self = fileURLToPath(import.meta.url);
  const rows: Figures[] = [];
  for (const n of sizes) {
    const out = execFileSync(process.execPath, ["--import", "tsx", self, "--child", String(n)], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
    const f = JSON.parse(out.trim().split("\n").pop()!) as Figures;
    rows.push(f);
    const nsPerDelivery = (f.wall_s * 1e9) / f.deliveries;
    console.log(
      `nodes=${f.nodes} wall_s=${f.wall_s} max_rss_mb=${f.max_rss_mb} sim_events=${f.sim_events} slice_writes=${f.slice_writes} ` +
        `deliveries=${f.deliveries} ns_per_delivery=${nsPerDelivery.toFixed(1)} npl_samples=${f.npl_samples} npl_p99_s=${f.npl_p99_s}`,
    );
  }
  const base = rows[0];
  for (const f of rows.slice(1)) {
    console.log(
      `# ${f.nodes} vs ${base.nodes} nodes: deliveries x${(f.deliveries / base.deliveries).toFixed(2)}, wall x${(f.wall_s / base.wall_s).toFixed(2)}`,
    );
  }
}
