import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { catalogOrder, exampleRows, lookupMetric, METRICS, metricName, patternMatchesCatalog } from "./metrics.js";
import { metricReference } from "../reports/metric-reference.js";

describe("the metric catalog", () => {
  it("defines every name once, and every row an entry produces belongs to that entry alone", () => {
    const names = METRICS.map((m) => m.name);
    expect(new Set(names).size).toBe(names.length);
    for (const m of METRICS) for (const row of exampleRows(m)) expect(lookupMetric(row)?.spec.name, row).toBe(m.name);
  });

  it("fills placeholders", () => {
    expect(metricName("etcd.writes.{kind}", { kind: "pods" })).toBe("etcd.writes.pods");
    expect(metricName("phase.{phase}.npl.p99_s", { phase: "rollout" })).toBe("phase.rollout.npl.p99_s");
    expect(metricName("npl.p99_s")).toBe("npl.p99_s");
  });

  it("orders rows by block, then the block's dimension values, then entry; series points by time, then .max", () => {
    // written in a scrambled order; the expected order follows the catalog's definition order by hand:
    // the etcd.db_size series (0 s, 10 s, max), watch.events, then the watcher block watcher-major
    // (events.kube_proxy, bytes.kube_proxy, events.dns, bytes.dns), then the phase block phase-major in first-seen order
    const scrambled = [
      "phase.b.watch.events",
      "watch.bytes.dns",
      "phase.a.watch.bytes",
      "etcd.db_size.max",
      "watch.events.dns",
      "phase.a.watch.events",
      "watch.bytes.kube_proxy",
      "etcd.db_size@10s",
      "watch.events",
      "phase.b.watch.bytes",
      "watch.events.kube_proxy",
      "etcd.db_size@0s",
    ].map((metric) => ({ metric }));
    expect(catalogOrder(scrambled).map((r) => r.metric)).toEqual([
      "etcd.db_size@0s",
      "etcd.db_size@10s",
      "etcd.db_size.max",
      "watch.events",
      "watch.events.kube_proxy",
      "watch.bytes.kube_proxy",
      "watch.events.dns",
      "watch.bytes.dns",
      "phase.b.watch.bytes",
      "phase.b.watch.events",
      "phase.a.watch.bytes",
      "phase.a.watch.events",
    ]);
  });

  it("refuses a metric it does not define", () => {
    expect(() => catalogOrder([{ metric: "npl.p99" }])).toThrow("metric npl.p99 is not in the metric catalog");
  });

  it("knows every metric the scenarios rank on, and every gate pattern matches something", () => {
    // the scenario files are read as text: a rank or gate metric is any `metric: "..."` literal in them
    const dir = new URL("../scenarios/", import.meta.url);
    const files = readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(".ts") && !String(f).endsWith(".test.ts"));
    let seen = 0;
    for (const f of files) {
      const text = readFileSync(new URL(String(f), dir), "utf8");
      for (const m of text.matchAll(/metric: "([^"]+)"/g)) {
        seen++;
        expect(patternMatchesCatalog(m[1]), `${f}: ${m[1]}`).toBe(true);
      }
    }
    expect(seen).toBeGreaterThan(20);
  });

  it("is what the README's metric reference says", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const start = readme.indexOf("<!-- metric-reference:start -->");
    const end = readme.indexOf("<!-- metric-reference:end -->");
    expect(start, "README has the metric reference markers").toBeGreaterThan(0);
    expect(readme.slice(start, end + "<!-- metric-reference:end -->".length), "run npm run docs:metrics").toBe(metricReference());
  });
});
