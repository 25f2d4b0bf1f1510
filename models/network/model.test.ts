import { describe, expect, it } from "vitest";
import { planScenario } from "../../bench/load.js";
import { runScenario } from "../../bench/runner.js";
import { toCsv } from "../../reports/csv.js";
import scenario from "../../test/fixtures/small-network.js";

const loaded = planScenario(scenario, "small-network");

describe("network model", () => {
  it("is deterministic: the same seed gives the same table, another seed another", () => {
    const a = toCsv(runScenario(loaded));
    const b = toCsv(runScenario(loaded));
    expect(a).toBe(b);
    expect(toCsv(runScenario(loaded, { seed: 6 }))).not.toBe(a);
  }, 120_000);

  it("keeps the books straight across variants (common random numbers: same pod history)", () => {
    const r = runScenario(loaded);
    const get = (variant: string, metric: string): number => r.rows.find((x) => x.variant === variant && x.metric === metric)!.value;
    const old = "cluster.kubernetesVersion=1.18";
    const k8s = "cluster.kubernetesVersion=1.34";
    const hash = "controller.algorithm=stable-hash";
    // the same release with another packing algorithm: the cluster's own history is the same, write for write
    for (const m of [
      "etcd.writes.pods",
      "etcd.writes.nodes",
      "etcd.writes.leases",
      "etcd.writes.events",
      "nodelifecycle.pods_marked_notready",
      "replicaset.creates",
    ]) {
      expect(get(hash, m), m).toBe(get(k8s, m));
    }
    for (const v of [old, k8s, hash]) {
      expect(get(v, "watch.bytes")).toBeGreaterThan(0);
      expect(get(v, "npl.samples")).toBeGreaterThan(0);
      expect(get(v, "watch.bytes.per_node.max")).toBeLessThanOrEqual(get(v, "watch.bytes"));
      // every write is of one kind, every delivery to one class of watcher
      const kinds = ["pods", "nodes", "leases", "events", "services", "endpointslices", "endpoints"];
      expect(get(v, "etcd.writes")).toBe(kinds.reduce((n, k) => n + get(v, `etcd.writes.${k}`), 0));
      const classes = ["kube_proxy", "dns", "endpoints_consumers", "controller"];
      expect(get(v, "watch.events")).toBe(classes.reduce((n, k) => n + get(v, `watch.events.${k}`), 0));
    }
    // slices fill at most MAX and the zone outage came back: no node is left without its watch
    expect(get(k8s, "endpointslice.fill.mean")).toBeLessThanOrEqual(1);
    expect(get(k8s, "watch.relists")).toBeGreaterThanOrEqual(20); // the outage zone's kube-proxies relist when it returns
    // v1.18's kube-proxies read Endpoints: whole objects per change, more bytes than slices
    expect(get(old, "watch.bytes.kube_proxy")).toBeGreaterThan(get(k8s, "watch.bytes.kube_proxy"));
  }, 120_000);
});

describe("the cluster's keyspace in etcd", () => {
  it("renews every node's Lease every 10 s: nodes x duration / 10 s writes, the partition's nodes excepted", () => {
    const run = (workload: unknown[]): Record<string, number> => {
      const r = runScenario(
        planScenario(
          { name: "leases", model: "network", duration: "10m", cluster: { nodes: 60, zones: 3 }, services: [{ name: "web", replicas: 30 }], workload },
          "leases",
        ),
      );
      return Object.fromEntries(r.rows.map((x) => [x.metric, x.value]));
    };
    // 60 nodes x 600 s / 10 s
    expect(run([])["etcd.writes.leases"]).toBe(60 * 60);
    // zone 1's 20 nodes down for 120 s miss 12 renewals each, and renew once when they reconnect
    expect(run([{ action: "zone-outage", at: "100s", zone: 1, duration: "120s" }])["etcd.writes.leases"]).toBe(60 * 60 - 20 * 12 + 20);
  }, 60_000);
});
