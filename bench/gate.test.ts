import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { ResultRow, Results } from "../reports/results.js";
import { k8s, k8sPackPortMap } from "../models/controllers/packing/k8s.js";
import { reconcileFamily } from "../models/controllers/packing/shared.js";
import { gateJunit } from "../reports/gate.js";
import { fromJson, toJson } from "../reports/json.js";
import ciSmoke from "../scenarios/ci-smoke.js";
import { gateResults, globMatches, ruleFor } from "./gate.js";
import { planScenario } from "./load.js";
import { runScenario } from "./runner.js";
import { bench, tempDir } from "../test/cli.js";

function results(rows: [string, string, number][], gate: Results["gate"] = []): Results {
  return {
    scenario: "s",
    seed: 1,
    gate,
    rows: rows.map(([variant, metric, value]): ResultRow => ({ scenario: "s", variant, seed: 1, metric, unit: "count", value })),
  };
}

describe("a gate that cannot be talked out of comparing (issue 13)", () => {
  const rules = [{ metric: "*", rule: "auto", better: "lower" as const }];

  it("takes its rules from the baseline: results that ignore everything still fail a 10x regression", () => {
    const base = results([["v", "writes", 100]], rules);
    const now = results([["v", "writes", 1000]], [{ metric: "*", rule: "ignore", better: "either" }]);
    const outcome = gateResults(now, base);
    expect(outcome.failures.map((c) => [c.metric, c.status])).toEqual([["writes", "regressed"]]);
  });

  it("refuses a baseline with no rows, duplicate rows, and a gate that compares nothing", () => {
    expect(() => gateResults(results([["v", "writes", 1]]), results([], rules))).toThrow("the baseline has no rows");
    expect(() =>
      gateResults(
        results([["v", "writes", 1]]),
        results(
          [
            ["v", "writes", 1],
            ["v", "writes", 2],
          ],
          rules,
        ),
      ),
    ).toThrow('the baseline hold two rows for variant "v", metric writes, seed 1');
    expect(() => gateResults(results([["v", "writes", 1]]), results([["v", "writes", 1]], [{ metric: "*", rule: "ignore", better: "either" }]))).toThrow(
      "the gate compared no metric",
    );
  });

  it("reads only well-formed results: every row's fields checked, a non-numeric value named", () => {
    const text = (rows: unknown[]): string => JSON.stringify({ scenario: "s", seed: 1, rows });
    const row = { scenario: "s", variant: "v", seed: 1, metric: "m", unit: "count", value: 1 };
    expect(fromJson(text([row])).rows).toHaveLength(1);
    expect(() => fromJson(text([row, { ...row, value: "9999" }]))).toThrow('rows[1].value: must be a finite number (got "9999")');
    expect(() => fromJson(text([{ ...row, value: null }]))).toThrow("rows[0].value: must be a finite number (got null)");
    expect(() => fromJson(JSON.stringify({ scenario: "s", seed: 1, rows: [], shard: { index: 1, count: 2, variants: "a" } }))).toThrow("shard: must be");
  });
});

describe("gate --update guards (issue 13)", () => {
  it("refuses another scenario's results, a variant subset, the results file itself and a directory; writes JUnit when updating", () => {
    const [full, subset, other] = [tempDir(), tempDir(), tempDir()];
    expect(bench(["run", "test/fixtures/tiny-phold.ts", "--out", full, "--quiet"]).status).toBe(0);
    expect(bench(["run", "test/fixtures/tiny-phold.ts", "--variant", "*=0.25", "--out", subset, "--quiet"]).status).toBe(0);
    expect(bench(["run", "test/fixtures/tiny-phold-uncertain.ts", "--out", other, "--quiet"]).status).toBe(0);
    const baseline = join(tempDir(), "baseline.json");
    const update = (dir: string, ...extra: string[]) => bench(["gate", join(dir, "results.json"), "--baseline", baseline, "--update", ...extra]);
    expect(update(full).status).toBe(0);
    const before = readFileSync(baseline, "utf8");
    const shrink = update(subset);
    expect(shrink.status).toBe(2);
    expect(shrink.stderr).toContain("lacks variant(s) the baseline has (phold.remoteFraction=1; phold.lookahead=10ms)");
    const foreign = update(other);
    expect(foreign.status).toBe(2);
    expect(foreign.stderr).toContain('is the baseline of scenario "tiny <phold> & co"');
    expect(readFileSync(baseline, "utf8")).toBe(before);
    const junit = join(tempDir(), "junit.xml");
    expect(update(subset, "--force", "--junit", junit).status).toBe(0);
    expect(readFileSync(junit, "utf8")).toContain("<testsuites");
    const self = bench(["gate", join(full, "results.json"), "--baseline", join(full, "results.json"), "--update"]);
    expect(self.status).toBe(2);
    expect(self.stderr).toContain("is the results file itself");
    const dir = tempDir();
    const onDir = bench(["gate", join(full, "results.json"), "--baseline", dir, "--update"]);
    expect(onDir.status).toBe(2);
    expect(onDir.stderr).toContain("a directory; give the baseline file");
    expect(readdirSync(dir)).toEqual([]);
  }, 60_000);
});

describe("gate rules", () => {
  it("matches globs and takes the first matching rule, else exact-for-integers in the catalog's direction", () => {
    expect(globMatches("npl.*", "npl.p99_s")).toBe(true);
    expect(globMatches("*@*", "watch.bytes@60s")).toBe(true);
    expect(globMatches("watch.bytes", "watch.bytes.per_node.max")).toBe(false);
    const rules = [
      { metric: "*@*", rule: "ignore", better: "either" as const },
      { metric: "watch.*", rule: "auto", better: "lower" as const },
    ];
    expect(ruleFor(rules, "watch.bytes@60s").rule).toBe("ignore");
    expect(ruleFor(rules, "watch.bytes").better).toBe("lower");
    // no rule matches: models/metrics.ts says fewer DNS failures is better, and gives kube-proxy's sync count no direction
    expect(ruleFor(rules, "dns.failures")).toEqual({ metric: "*", rule: "auto", better: "lower" });
    expect(ruleFor(rules, "kubeproxy.syncs")).toEqual({ metric: "*", rule: "auto", better: "either" });
  });

  it("compares integers exactly and floats within 1%, with a direction", () => {
    const rules = [{ metric: "*", rule: "auto", better: "lower" as const }];
    const base = results(
      [
        ["v", "writes", 100],
        ["v", "p99", 1.0],
        ["v", "gone", 1],
      ],
      rules,
    );
    const now = results(
      [
        ["v", "writes", 101],
        ["v", "p99", 1.009],
        ["v", "fresh", 5],
      ],
      rules,
    );
    const outcome = gateResults(now, base);
    const status = Object.fromEntries(outcome.checks.map((c) => [c.metric, [c.status, c.rule]]));
    expect(status).toEqual({ writes: ["regressed", "exact"], p99: ["same", "rel:0.01"], gone: ["missing", "auto"], fresh: ["new", "auto"] });
    expect(outcome.failures.map((c) => c.metric)).toEqual(["writes", "gone"]);
  });

  it("lets improvements pass, fails any change where no direction is declared, honours abs and rel tolerances", () => {
    const rules = [
      { metric: "down", rule: "auto", better: "lower" as const },
      { metric: "up", rule: "auto", better: "higher" as const },
      { metric: "abs", rule: "abs:2", better: "lower" as const },
      { metric: "rel", rule: "rel:0.1", better: "lower" as const },
    ];
    const base = results(
      [
        ["v", "down", 10],
        ["v", "up", 10],
        ["v", "any", 10],
        ["v", "abs", 10],
        ["v", "rel", 10],
      ],
      rules,
    );
    const now = results(
      [
        ["v", "down", 9],
        ["v", "up", 9],
        ["v", "any", 9],
        ["v", "abs", 12],
        ["v", "rel", 11.5],
      ],
      rules,
    );
    const status = Object.fromEntries(gateResults(now, base).checks.map((c) => [c.metric, c.status]));
    expect(status).toEqual({ down: "improved", up: "regressed", any: "changed", abs: "same", rel: "regressed" });
  });

  it("refuses to compare different scenarios or seeds", () => {
    expect(() => gateResults({ ...results([]), seed: 2 }, results([]))).toThrow(/seed 2/);
    expect(() => gateResults({ ...results([]), scenario: "t" }, results([]))).toThrow(/scenario "t"/);
  });
});

describe("bench gate catches a broken packing algorithm", () => {
  afterEach(() => vi.restoreAllMocks());

  it("k8s without step 2 (no top-up of slices being updated) fails the gate on ci-smoke, naming what regressed", () => {
    const loaded = planScenario(ciSmoke, "scenarios/ci-smoke.ts");
    const variantPattern = "*algorithm=k8s,*=100";
    const baseline = runScenario(loaded, { variantPattern });
    const withoutTopUp = {
      name: "k8s",
      options: {},
      countsClaims: true,
      acceptsUntouched: true,
      acceptsAsIs: true,
      packPortMap: (ctx: Parameters<typeof k8sPackPortMap>[0]) => k8sPackPortMap(ctx, false),
    };
    vi.spyOn(k8s, "reconcile").mockImplementation((input) => reconcileFamily(input, withoutTopUp));
    const broken = runScenario(loaded, { variantPattern });

    const outcome = gateResults(broken, baseline);
    // without the top-up, endpoints added while a slice is rewritten go to new slices: more creates and deletes
    const regressed = outcome.failures.filter((c) => c.status === "regressed").map((c) => c.metric);
    expect(regressed).toEqual(expect.arrayContaining(["controller.creates", "controller.deletes", "endpointslice_controller.changes.create"]));
    expect(gateJunit(outcome)).toContain('<failure type="regressed" message="regressed: controller.creates');

    // the same through the CLI: exit 1, a table naming the metrics, JUnit and Markdown written
    const dir = tempDir();
    writeFileSync(join(dir, "baseline.json"), toJson(baseline));
    writeFileSync(join(dir, "results.json"), toJson(broken));
    const r = bench([
      "gate",
      join(dir, "results.json"),
      "--baseline",
      join(dir, "baseline.json"),
      "--junit",
      join(dir, "junit.xml"),
      "--markdown",
      join(dir, "gate.md"),
    ]);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/^regressed\s+controller\.algorithm=k8s,controller\.maxEndpointsPerSlice=100\s+controller\.creates\s/m);
    expect(r.stdout).toMatch(/^FAIL: ci-smoke \(seed 500\) against the baseline: \d+ metrics compared: [1-9]\d* regressed/m);

    // accepting it as the new baseline makes the gate pass
    expect(bench(["gate", join(dir, "results.json"), "--baseline", join(dir, "baseline.json"), "--update"]).status).toBe(0);
    const again = bench(["gate", join(dir, "results.json"), "--baseline", join(dir, "baseline.json")]);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/^PASS: ci-smoke/m);
  }, 120_000);

  it("a missing baseline is bad input (exit 2) that says how to create it", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "results.json"), toJson(results([["v", "m", 1]])));
    const r = bench(["gate", join(dir, "results.json"), "--baseline", join(dir, "nope.json")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("(create it with --update)");
  });
});
