import { describe, expect, it } from "vitest";
import ciSmoke from "../scenarios/ci-smoke.js";
import { planScenario } from "./load.js";
import { distinctRuns, networkConfig, planRun, runScenario } from "./runner.js";
import type { NetworkScenario } from "./schema.js";

describe("planning a run", () => {
  it("runs each part once for the variants that read the same configuration", () => {
    const plan = planRun(planScenario(ciSmoke, "scenarios/ci-smoke.ts"));
    const { runs, partsOf } = distinctRuns(plan);
    expect(plan.variants).toHaveLength(15);
    const of = (label: string, part: string): string => {
      const i = plan.variants.findIndex((v) => v.label === label);
      return runs[partsOf[i].find((r) => runs[r].part === part)!].label;
    };
    // v1.34 (the release family's reference) is the scenario's default, as k8s at 100 per slice (the packing family's)
    const v134 = "cluster.kubernetesVersion=1.34";
    expect(of("controller.algorithm=k8s,controller.maxEndpointsPerSlice=100", "control-plane")).toBe(v134);
    // DNS placements whose servers watch the API as the central CoreDNS does share that control plane
    for (const p of ["central", "nodelocal", "nodelocal-prefer-same-node", "zonal"]) expect(of(`dns.placement=${p}`, "control-plane")).toBe(v134);
    // autopath's CoreDNS also watches every pod; a CoreDNS per node is 500 watchers: their own control planes
    for (const p of ["central-autopath", "coredns-daemonset"]) expect(of(`dns.placement=${p}`, "control-plane")).toBe(`dns.placement=${p}`);
    // every era and packing variant has the central placement's traffic: one DNS run, the first variant's
    for (const v of plan.variants.slice(0, 9)) expect(of(v.label, "dns")).toBe(plan.variants[0].label);
    expect(runs.filter((r) => r.part === "control-plane")).toHaveLength(10);
    expect(runs.filter((r) => r.part === "dns")).toHaveLength(6);
  });

  it("shards round robin over the selected variants", () => {
    const loaded = planScenario(ciSmoke, "scenarios/ci-smoke.ts");
    const all = planRun(loaded).variants.map((v) => v.label);
    const parts = [1, 2, 3].map((index) => planRun(loaded, { shard: { index, count: 3 } }).variants.map((v) => v.label));
    expect(parts.map((p) => p.length)).toEqual([5, 5, 5]);
    expect(parts[1][0]).toBe(all[1]);
    expect(parts.flat().sort()).toEqual([...all].sort());
  });
});

describe("validating network scenarios", () => {
  const base = { name: "v", model: "network", duration: "1m", cluster: { nodes: 3 }, services: [{ name: "web", replicas: 3 }] };
  const issues = (extra: Record<string, unknown>): string => {
    try {
      planScenario({ ...base, ...extra }, "v.ts");
      return "";
    } catch (e) {
      return (e as Error).message;
    }
  };

  it("refuses workload steps that could never act: a zone the cluster lacks, a start after the run, a selector of nothing", () => {
    // base: 3 nodes in 3 zones (the default), one group "web", 1 minute
    expect(issues({ workload: [{ action: "zone-outage", at: "0s", zone: 3, duration: "1m" }] })).toContain("workload.0.zone: the cluster has zones 0..2");
    expect(issues({ workload: [{ action: "churn", at: "2m", until: "3m", rate: 1 }] })).toContain("workload.0.at: starts after the run ends (duration 1m)");
    expect(issues({ workload: [{ action: "churn", at: "30s", until: "10s", rate: 1 }] })).toContain("workload.0.until: must not be before at (30s)");
    expect(issues({ workload: [{ action: "scale", at: "0s", services: "db", factor: 2 }] })).toContain('workload.0.services: "db" matches no Service');
    // a group, a Service name, a glob and "*" all name something
    for (const services of ["web", "web-service-0", "web-*", "*", "web, web-service-0"]) {
      expect(issues({ workload: [{ action: "scale", at: "0s", services, factor: 2 }] }), services).toBe("");
    }
    expect(issues({ workload: [{ action: "scale", at: "0s", services: "web-service-1", factor: 2 }] })).toContain("matches no Service");
  });

  it("refuses a DNS name mix of all zeros (it crashed the traffic model with NaN), and runs a Service group of 0 replicas through every step and a lone zone's long outage", () => {
    const zeros = { sameNamespace: 0, otherNamespace: 0, clusterFqdn: 0, external: 0, headless: 0 };
    expect(issues({ dns: { lookupsPerPodPerSecond: 1, mix: zeros } })).toContain("dns.mix: the name classes' shares are all 0");
    const empty = planScenario(
      {
        ...base,
        services: [{ name: "web", replicas: 0 }],
        workload: [
          { action: "rolling-update", at: "1s", services: "*", style: "one-at-a-time" },
          { action: "rolling-update", at: "2s", services: "web" },
          { action: "scale", at: "3s", services: "web", factor: 2 },
          { action: "churn", at: "4s", until: "30s", services: "web", rate: 1 },
        ],
      },
      "v.ts",
    );
    expect(runScenario(empty).rows.find((r) => r.metric === "controller.failed_syncs")?.value).toBe(0);
    // the only zone down past the 300 s toleration: every zone is fully disrupted, so the node lifecycle controller
    // marks the nodes NotReady but stops evicting (upstream's "all zones fully disrupted" mode), and the run ends
    const alone = planScenario(
      { ...base, duration: "12m", cluster: { nodes: 3, zones: 1 }, workload: [{ action: "zone-outage", at: "10s", zone: 0, duration: "10m" }] },
      "v.ts",
    );
    const rows = runScenario(alone).rows;
    expect(rows.find((r) => r.metric === "nodelifecycle.nodes_not_ready")?.value).toBe(3);
    expect(rows.find((r) => r.metric === "nodelifecycle.evictions")?.value).toBe(0);
  });

  it("names the release range and refuses a release it does not model", () => {
    expect(issues({ cluster: { nodes: 3, kubernetesVersion: "1.17" } })).toContain(
      'cluster.kubernetesVersion: must be a Kubernetes release "1.18" .. "1.37" (got "1.17")',
    );
    expect(issues({ cluster: { nodes: 3, kubernetesVersion: "1.21" } })).toBe("");
  });

  it("refuses the fields this model replaced, naming what replaced them", () => {
    expect(issues({ controller: { mode: "endpoints" } })).toContain("controller.mode: no longer a field: kube-proxy reads Endpoints up to v1.18");
    expect(issues({ controller: { qps: 100 } })).toContain("controller.qps: no longer a field: every kube-controller-manager controller has its own client");
    expect(issues({ workload: [{ action: "zone-outage", at: "0s", zone: 0, duration: "1m", evictAfter: "5m" }] })).toContain(
      "workload.0.evictAfter: no longer a field: the taint eviction controller decides it",
    );
  });

  it("defaults the grace period by release: 50 s from v1.32, 40 s before", () => {
    const grace = (v: string): number =>
      networkConfig(planScenario({ ...base, cluster: { nodes: 3, kubernetesVersion: v } }, "v.ts").base as NetworkScenario).nodeLifecycle.gracePeriod;
    expect(grace("1.32")).toBe(50_000_000);
    expect(grace("1.31")).toBe(40_000_000);
  });
});
