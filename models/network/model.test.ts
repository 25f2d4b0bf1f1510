import { describe, expect, it } from "vitest";
import { planScenario } from "../../bench/load.js";
import { runScenario } from "../../bench/runner.js";
import { toCsv } from "../../reports/csv.js";
import scenario from "../../bench/testdata/small-network.js";

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
    const ep = "controller.mode=endpoints";
    const es = "controller.mode=endpointslice";
    // both variants saw the same pod writes: the workload does not depend on the controller
    expect(get(ep, "etcd.writes.pods")).toBe(get(es, "etcd.writes.pods"));
    // every delivery is counted once per watcher: events x watchers bound
    for (const v of [ep, es]) {
      expect(get(v, "watch.bytes")).toBeGreaterThan(0);
      expect(get(v, "npl.samples")).toBeGreaterThan(0);
      expect(get(v, "watch.bytes.per_node.max")).toBeLessThanOrEqual(get(v, "watch.bytes"));
      expect(get(v, "etcd.writes")).toBe(get(v, "etcd.writes.endpointslices") + get(v, "etcd.writes.endpoints") + get(v, "etcd.writes.pods") + get(v, "etcd.writes.services"));
    }
    // slices fill at most MAX and the zone outage came back: no node is left without its watch
    expect(get(es, "endpointslice.fill.mean")).toBeLessThanOrEqual(1);
    expect(get(es, "watch.relists")).toBeGreaterThanOrEqual(20); // the outage zone's kube-proxies relist when it returns
  }, 120_000);
});
