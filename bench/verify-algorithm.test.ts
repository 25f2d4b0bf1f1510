import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packingAlgorithms } from "../models/controllers/packing/index.js";
import { bench, repoRoot, tempDir } from "../test/cli.js";
import { INVARIANTS, brokenInvariant, verifyAlgorithm } from "./verify-algorithm.js";

describe("bench verify-algorithm", () => {
  it("passes every built-in algorithm", () => {
    for (const algorithm of Object.values(packingAlgorithms)) expect(verifyAlgorithm(algorithm, 200).failure, algorithm.name).toBeUndefined();
  });

  it("finds upstream's reconciler identical to itself, and says how often another algorithm differs", () => {
    expect(verifyAlgorithm(packingAlgorithms.k8s, 100).sameAsUpstream).toBe(100);
    expect(verifyAlgorithm(packingAlgorithms.compact, 100).sameAsUpstream).toBeLessThan(100);
  });

  it("catches a stale endpoint on a hand-made state: a readiness change left unwritten", () => {
    const stale = {
      name: "stale",
      description: "",
      options: {},
      reconcile: () => ({
        creates: [],
        updates: [],
        deletes: [],
        metrics: { added: 0, removed: 0, desiredEndpoints: 0, desiredSlices: 0, actualSlices: 0, changedPerSync: 0, recycled: 0, unsupportedDeletes: 0 },
      }),
    };
    const e = { id: "10.0.0.1", ready: true, serving: true, terminating: false };
    expect(
      brokenInvariant(stale, { maxEndpointsPerSlice: 2, existing: [{ name: "s", endpoints: [{ ...e, ready: false, serving: false }] }], desired: [e] }),
    ).toBe(INVARIANTS[2]);
  });

  for (const [file, invariant] of [
    ["drops-endpoint", INVARIANTS[0]],
    ["overfills", INVARIANTS[1]],
    ["keeps-stale", INVARIANTS[2]],
  ] as const) {
    it(`fails a plugin that breaks "${invariant}" with exit 1, naming it, and prints the smallest state as a reconcile case`, () => {
      const r = bench(["verify-algorithm", `test/fixtures/plugins/${file}.ts`, "--runs", "200"]);
      expect(r.status).toBe(1);
      expect(r.stdout).toContain(`FAIL: ${invariant}`);
      const repro = JSON.parse(r.stdout.trim().split("\n").pop()!);
      expect(repro.algorithm).toBe(`test/fixtures/plugins/${file}.ts`);
      // the printed case reproduces with bench reconcile (paths in a case are relative to its file)
      const dir = tempDir();
      writeFileSync(join(dir, "case.json"), JSON.stringify({ ...repro, algorithm: join(repoRoot, repro.algorithm) }));
      expect(bench(["reconcile", join(dir, "case.json")]).status).toBe(0);
    });
  }

  it("refuses a module that is not a plugin, or no module, with exit 2", () => {
    const r = bench(["verify-algorithm", "test/fixtures/plugins/not-a-plugin.ts"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("the plugin's `reconcile` must be a function");
    const missing = bench(["verify-algorithm", "./no-such-algo.ts"]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("plugin module not found");
    expect(bench(["verify-algorithm", "no-such-name"]).stderr).toContain('or the path of a plugin module (e.g. "./algorithms/my-algo.ts")');
  });
});

describe("packing algorithm plugins", () => {
  it("a plugin outside the repository runs from a scenario, is ranked with the built-ins, and runs in bench reconcile", () => {
    const dir = tempDir();
    copyFileSync(join(repoRoot, "examples/algorithms/first-fit.ts"), join(dir, "first-fit.ts"));
    writeFileSync(
      join(dir, "s.ts"),
      `export default { name: "plug", model: "network", duration: "3m", cluster: { nodes: 30, zones: 2 },
        services: [{ name: "web", count: 4, replicas: 60 }],
        workload: [{ name: "churn", at: "10s", until: "3m", action: "churn", rate: 2 }],
        variants: { "controller.algorithm": ["k8s", "./first-fit.ts"] },
        rank: [{ metric: "etcd.writes.endpointslices", better: "lower" }] };\n`,
    );
    const r = bench(["run", join(dir, "s.ts"), "--out", join(dir, "out"), "--threads", "2"]);
    expect(r.status).toBe(0);
    // ranked in its family beside k8s (the reference): its row has a value and a rank
    expect(readFileSync(join(dir, "out", "summary.md"), "utf8")).toMatch(/\| \.\/first-fit\.ts \| (\*\*)?[\d,]+(\*\*)? #[12]/);
    expect(r.stdout).toMatch(/etcd\.writes\.endpointslices \(lower\): (k8s|\.\/first-fit\.ts)( = \S+)?, [\d,]+ count/);
    const json = JSON.parse(readFileSync(join(dir, "out", "results.json"), "utf8"));
    expect(json.variants).toEqual(["controller.algorithm=k8s", "controller.algorithm=./first-fit.ts"]);

    writeFileSync(
      join(dir, "case.json"),
      JSON.stringify({
        algorithm: "./first-fit.ts",
        maxEndpointsPerSlice: 2,
        existing: [{ name: "s1", endpoints: [{ id: "p1" }, { id: "p2" }] }],
        desired: [{ id: "p1" }, { id: "p3" }, { id: "p4" }],
      }),
    );
    const rec = bench(["reconcile", join(dir, "case.json")]);
    expect(rec.status).toBe(0);
    // first-fit: p2 leaves s1, p3 takes its place, p4 opens a new slice
    expect(JSON.parse(rec.stdout)).toMatchObject({
      created: 1,
      updated: 1,
      deleted: 0,
      slices: [
        { name: "s1", size: 2 },
        { name: "created-1", size: 1 },
      ],
    });
  }, 120_000);

  it("names the field when a scenario's plugin does not load (exit 2)", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "s.ts"),
      `export default { name: "p", model: "network", duration: "1m", cluster: { nodes: 10 }, services: [{ name: "a", replicas: 2 }], controller: { algorithm: "./missing.ts" } };\n`,
    );
    const r = bench(["run", join(dir, "s.ts"), "--out", join(dir, "out")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("controller.algorithm: plugin module not found");
    // a plugin whose answer cannot be applied: the user's input, exit 2, no stack trace
    writeFileSync(join(dir, "bad.ts"), `export default { name: "bad", reconcile: () => ({ create: [{ endpoints: ["nope"] }], update: [], delete: [] }) };\n`);
    writeFileSync(
      join(dir, "t.ts"),
      `export default { name: "p", model: "network", duration: "1m", cluster: { nodes: 10 }, services: [{ name: "a", replicas: 2 }], controller: { algorithm: "./bad.ts" } };\n`,
    );
    const bad = bench(["run", join(dir, "t.ts"), "--out", join(dir, "out")]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('packing algorithm "bad": create[0] lists endpoint "nope", which is not desired (check it with bench verify-algorithm)');
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("DNS placement plugins", () => {
  it("a placement module from a scenario runs beside the built-ins and its declared fields drive the traffic", () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "s.ts"),
      `export default { name: "dnsplug", model: "network", duration: "2m", cluster: { nodes: 256, zones: 2 },
        services: [{ name: "web", count: 4, replicas: 10 }], dns: { lookupsPerPodPerSecond: 1, sampleRate: 0.001 },
        variants: { "dns.placement": ["zonal", ${JSON.stringify(join(repoRoot, "examples/placements/zonal-64.ts"))}] } };\n`,
    );
    const r = bench(["run", join(dir, "s.ts"), "--out", join(dir, "out"), "--quiet", "--threads", "2"]);
    expect(r.status).toBe(0);
    const rows = JSON.parse(readFileSync(join(dir, "out", "results.json"), "utf8")).rows as { variant: string; metric: string; value: number }[];
    const get = (v: string, m: string): number => rows.find((x) => x.variant.endsWith(v) && x.metric === m)!.value;
    // zonal: per zone max(2, ceil(128 / 16)) = 8 caches; zonal-64: max(2, ceil(128 / 64)) = 2; plus the central CoreDNS
    const central = get("=zonal", "dns.coredns.replicas");
    expect(get("=zonal", "dns.placement.instances")).toBe(2 * 8 + central);
    expect(get("zonal-64.ts", "dns.placement.instances")).toBe(2 * 2 + central);
    // a cache serving 64 nodes sees each name 4x as often as one serving 16: more hits, fewer queries to CoreDNS
    expect(get("zonal-64.ts", "dns.upstream_qps.max")).toBeLessThan(get("=zonal", "dns.upstream_qps.max"));
  }, 120_000);

  it("refuses a module that is not a placement, naming the field (exit 2)", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "p.ts"), `export default { name: "half", firstTier: "node-cache" };\n`);
    writeFileSync(
      join(dir, "s.ts"),
      `export default { name: "p", model: "network", duration: "1m", cluster: { nodes: 10 }, services: [{ name: "a", replicas: 2 }], dns: { placement: "./p.ts" } };\n`,
    );
    const r = bench(["run", join(dir, "s.ts"), "--out", join(dir, "out")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("dns.placement:");
    expect(r.stderr).toContain("the placement's `clientLink` must be a link");
  });
});
