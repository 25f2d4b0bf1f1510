/** The README's metric reference, generated from the catalog (`npm run docs:metrics` writes it between the markers). */
import { type MetricFamily, METRICS } from "../models/metrics.js";

const FAMILY_TITLES: Record<MetricFamily, string> = {
  "control-plane": "Control plane (etcd, apiserver, watches, controllers, kube-proxy)",
  dns: "DNS traffic (placements, CoreDNS, conntrack)",
  phold: "PHOLD (the engine benchmark)",
};

export const START = "<!-- metric-reference:start -->";
export const END = "<!-- metric-reference:end -->";

export function metricReference(): string {
  const out = [
    START,
    "",
    "Generated from `models/metrics.ts` by `npm run docs:metrics`. Dimensions: `{watcher}` is kube_proxy, dns, endpoints_consumers " +
      "or controller; `{kind}` an etcd object kind (pods, nodes, leases, events, services, endpointslices, endpoints); `{phase}` a " +
      "workload step's name; `{q}` a quantile; `{le}` a fill bound; `{t}` a sample time.",
    "",
  ];
  for (const family of Object.keys(FAMILY_TITLES) as MetricFamily[]) {
    out.push(`**${FAMILY_TITLES[family]}**`, "", "| metric | unit | better | meaning |", "|---|---|---|---|");
    for (const m of METRICS) {
      if (m.family !== family) continue;
      const name = "kind" in m && m.kind === "series" ? `${m.name}@{t}s, ${m.name}.max` : m.name;
      const better = "better" in m ? m.better : "";
      out.push(`| \`${name}\` | ${m.unit} | ${better} | ${m.meaning.replace(/\|/g, "\\|")} |`);
    }
    out.push("");
  }
  out.push(END);
  return out.join("\n");
}
