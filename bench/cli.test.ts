import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bench, tempDir } from "./testing.js";

describe("bench run (end to end)", () => {
  it("writes byte-identical results.csv and results.json for the same seed, different ones for another seed", () => {
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    for (const [dir, seed] of [[a, "42"], [b, "42"], [c, "43"]] as const) {
      const r = bench(["run", "scenarios/phold.ts", "--seed", seed, "--out", dir, "--quiet"]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    }
    for (const f of ["results.csv", "results.json"]) {
      expect(readFileSync(join(a, f), "utf8")).toBe(readFileSync(join(b, f), "utf8"));
      expect(readFileSync(join(a, f), "utf8")).not.toBe(readFileSync(join(c, f), "utf8"));
    }
    const csv = readFileSync(join(a, "results.csv"), "utf8").split("\n");
    expect(csv[0]).toBe("scenario,variant,seed,metric,unit,value");
    expect(csv[1]).toBe("phold,phold.remoteFraction=1,42,phold.events,events,3000000");
    const json = JSON.parse(readFileSync(join(a, "results.json"), "utf8"));
    expect(json.scenario).toBe("phold");
    expect(json.seed).toBe(42);
    expect(json.rows[0]).toEqual({ scenario: "phold", variant: "phold.remoteFraction=1", seed: 42, metric: "phold.events", unit: "events", value: 3_000_000 });
  }, 120_000);

  it("rejects a scenario with a bad field: exit 2, the field and its allowed range named, no stack trace", () => {
    const r = bench(["run", "bench/testdata/bad-nodes.ts", "--out", tempDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("phold.lps: must be an integer in 1..1000000 (got -5)");
    expect(r.stderr).toContain("phold.nodes: unknown field");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("runs only the variants matching --variant and prints the summary", () => {
    const dir = tempDir();
    const r = bench(["run", "bench/testdata/tiny-phold.ts", "--variant", "*=0.25", "--out", dir]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/phold\.events\s+events\s+20,000/);
    const json = JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));
    expect(json.variants).toEqual(["phold.remoteFraction=0.25"]);
    expect(json.assumptions).toEqual([{ name: "meanDelay", value: "1s", why: "the PHOLD default" }]);
  });

  it("writes only the requested formats, to out/<scenario-name>/ by default", () => {
    const cwd = tempDir();
    const r = bench(["run", join(process.cwd(), "bench/testdata/tiny-phold.ts"), "--format", "csv", "--quiet"], { cwd });
    expect(r.status).toBe(0);
    expect(existsSync(join(cwd, "out/tiny-phold-co/results.csv"))).toBe(true);
    expect(existsSync(join(cwd, "out/tiny-phold-co/results.json"))).toBe(false);
  });

  it("names the variants when --variant matches none", () => {
    const r = bench(["run", "bench/testdata/tiny-phold.ts", "--variant", "nothing-like-this", "--quiet"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("matches none of: phold.remoteFraction=1, phold.remoteFraction=0.25, phold.lookahead=10ms");
  });

  it("reports bad flags, missing files and non-scenario modules with exit 2", () => {
    expect(bench(["run", "scenarios/phold.ts", "--seed", "-1"]).status).toBe(2);
    expect(bench(["run", "scenarios/phold.ts", "--format", "pdf"]).stderr).toContain("must be a comma-separated list of csv, json, html");
    const missing = bench(["run", "no/such/file.ts"]);
    expect([missing.status, missing.stderr.trim()]).toEqual([2, "error: scenario file not found: no/such/file.ts"]);
    const dir = tempDir();
    writeFileSync(join(dir, "empty.ts"), "export const x = 1;\n");
    const empty = bench(["run", join(dir, "empty.ts")]);
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain("must `export default defineScenario({...})`");
    writeFileSync(join(dir, "broken.ts"), "export default {{;\n");
    const broken = bench(["run", join(dir, "broken.ts")]);
    expect(broken.status).toBe(2);
    expect(broken.stderr).toContain("cannot load the scenario module");
  });

  it("prints help and version with exit 0", () => {
    const help = bench(["--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("run [options] <scenario>");
    const runHelp = bench(["run", "--help"]);
    expect(runHelp.stdout).toContain("--variant <pattern>");
    expect(bench(["--version"]).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it("lists the scenarios", () => {
    const r = bench(["list"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/scenarios\/phold\.ts\s+phold\s+2\s+PHOLD/);
  });
});
