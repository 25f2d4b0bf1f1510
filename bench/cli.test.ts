import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { bench, repoRoot, tempDir } from "../test/cli.js";

describe("bench run (end to end)", () => {
  it("writes byte-identical results.csv and results.json for the same seed, different ones for another seed", () => {
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    for (const [dir, seed] of [
      [a, "42"],
      [b, "42"],
      [c, "43"],
    ] as const) {
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
    const r = bench(["run", "test/fixtures/bad-nodes.ts", "--out", tempDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("phold.lps: must be an integer in 1..1000000 (got -5)");
    expect(r.stderr).toContain("phold.nodes: unknown field");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("runs only the variants matching --variant and prints the summary", () => {
    const dir = tempDir();
    const r = bench(["run", "test/fixtures/tiny-phold.ts", "--variant", "*=0.25", "--out", dir]);
    expect(r.status).toBe(0);
    // no rank metrics: the terminal shows the first metrics, variants down
    expect(r.stdout).toMatch(/variant\s+phold\.events \(events\)[^\n]*\n[- ]+\nphold\.remoteFraction=0\.25\s+20,000/);
    const json = JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));
    expect(json.variants).toEqual(["phold.remoteFraction=0.25"]);
    expect(json.assumptions).toEqual([{ name: "meanDelay", value: "1s", why: "the PHOLD default" }]);
  });

  it("writes run.json beside the results (provenance), and results stay byte-identical across runs", () => {
    const [a, b] = [tempDir(), tempDir()];
    for (const dir of [a, b]) expect(bench(["run", "test/fixtures/tiny-phold.ts", "--out", dir, "--quiet", "--threads", dir === a ? "1" : "2"]).status).toBe(0);
    for (const f of ["results.csv", "results.json"]) expect(readFileSync(join(a, f), "utf8")).toBe(readFileSync(join(b, f), "utf8"));
    const run = JSON.parse(readFileSync(join(a, "run.json"), "utf8"));
    expect(run.tool.name).toBe("k8s-netscale");
    expect(run.git.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(typeof run.git.dirty).toBe("boolean");
    expect(run.node).toBe(process.version);
    expect(run.command).toEqual(["bench", "run", "test/fixtures/tiny-phold.ts", "--out", a, "--quiet", "--threads", "1"]);
    // sha256 of the scenario file, computed here independently
    const sha = createHash("sha256")
      .update(readFileSync(join(repoRoot, "test/fixtures/tiny-phold.ts")))
      .digest("hex");
    expect(run.scenario.sha256).toBe(sha);
    expect(run.threads).toBe(1);
    expect(run.wallSeconds).toBeGreaterThan(0);
    expect(Date.parse(run.startedAt)).toBeGreaterThan(0);
  });

  it("prints a progress line per finished run when stderr is not a terminal", () => {
    const r = bench(["run", "test/fixtures/tiny-phold.ts", "--out", tempDir()]);
    expect(r.status).toBe(0);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("progress: ["));
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(/^progress: \[3\/3\] .* done in [\d.]+ s \(100%, \d+ s elapsed\)$/);
  });

  it("--sensitivity runs every variant at each uncertain parameter's low and high, and writes sensitivity.csv", () => {
    const dir = tempDir();
    const r = bench(["run", "test/fixtures/tiny-phold-uncertain.ts", "--sensitivity", "--out", dir]);
    expect(r.status).toBe(0);
    const csv = readFileSync(join(dir, "sensitivity.csv"), "utf8").trim().split("\n");
    expect(csv[0]).toBe("scenario,variant,parameter,level,metric,unit,value");
    // 3 variants x 1 ranked metric x (base + low + high)
    expect(csv).toHaveLength(1 + 3 * 3);
    expect(csv.filter((l) => l.includes(",phold.meanDelay,low,"))).toHaveLength(3);
    expect(r.stdout).toContain("holds:");
    expect(readFileSync(join(dir, "report.html"), "utf8")).toContain("<h2>Verdict</h2>");
    const none = bench(["run", "test/fixtures/tiny-phold.ts", "--sensitivity", "--out", tempDir()]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("declares no uncertain parameters");
  });

  it("--seeds N keeps a row per seed, and writes the means and 95% intervals to stats.csv", () => {
    const dir = tempDir();
    expect(bench(["run", "test/fixtures/tiny-phold.ts", "--seeds", "3", "--out", dir, "--quiet"]).status).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));
    expect(json.seed).toBe(7);
    expect(json.seeds).toEqual([7, 8, 9]);
    const simTime = json.rows.filter((r: { metric: string; variant: string }) => r.metric === "phold.sim_time" && r.variant === "phold.remoteFraction=1");
    expect(simTime.map((r: { seed: number }) => r.seed)).toEqual([7, 8, 9]);
    // the same mean and interval computed here from the three rows
    const values = simTime.map((r: { value: number }) => r.value);
    const mean = values.reduce((a: number, b: number) => a + b, 0) / 3;
    const sd = Math.sqrt(values.reduce((a: number, v: number) => a + (v - mean) ** 2, 0) / 2);
    const line = readFileSync(join(dir, "stats.csv"), "utf8")
      .split("\n")
      .find((l) => l.includes("phold.remoteFraction=1,phold.sim_time,"))!
      .split(",");
    expect(Number(line[5])).toBeCloseTo(mean, 9);
    expect(Number(line[7]) - Number(line[5])).toBeCloseTo((4.303 * sd) / Math.sqrt(3), 9);
  });

  it("bench compare lists what differs between two runs, largest first, and exits 0", () => {
    const [a, b] = [tempDir(), tempDir()];
    expect(bench(["run", "test/fixtures/tiny-phold.ts", "--out", a, "--quiet"]).status).toBe(0);
    expect(bench(["run", "test/fixtures/tiny-phold.ts", "--seed", "8", "--out", b, "--quiet"]).status).toBe(0);
    const r = bench(["compare", a, join(b, "results.json"), "--markdown", join(b, "compare.md")]);
    expect(r.status).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^variant\s+metric\s+base\s+new\s+difference\s+%\s+unit$/);
    expect(r.stdout).toMatch(/\d+ of \d+ metrics differ/);
    expect(readFileSync(join(b, "compare.md"), "utf8")).toContain("| variant | metric | base | new | difference | % | unit |");
    const json = JSON.parse(bench(["compare", a, a, "--json", "--all"]).stdout);
    expect(json.every((d: { pct: number }) => d.pct === 0)).toBe(true);
    expect(bench(["compare", a, join(a, "nothing.json")]).status).toBe(2);
  });

  it("ends quietly when its reader closes stdout early (| head)", () => {
    // ~800 KB of output into a pipe that head closes after 10 bytes: EPIPE used to be an unhandled-error stack trace
    const baseline = join(repoRoot, "bench/baselines/ci-smoke.json");
    const r = spawnSync("bash", ["-c", `node bench/bin.mjs compare ${baseline} ${baseline} --all --series | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`], {
      cwd: repoRoot,
      encoding: "utf8",
    });
    expect(r.stderr).toBe("");
    expect(r.stdout.trim()).toBe("0");
  });

  it("refuses an --out it cannot write before running anything (exit 2, the path and the reason)", () => {
    const file = join(tempDir(), "a-file");
    writeFileSync(file, "x");
    for (const [out, reason] of [
      ["", "--out is empty"],
      [file, `--out ${file}: not a directory`],
      [join(file, "below"), `--out ${join(file, "below")}: cannot write reports there (ENOTDIR)`],
      // Node's own recursive mkdir spins forever here
      ["/proc/netscale-out", "--out /proc/netscale-out: cannot write reports there"],
    ]) {
      const r = bench(["run", "test/fixtures/tiny-phold.ts", "--out", out, "--quiet"]);
      expect(r.status, out).toBe(2);
      expect(r.stderr).toContain(reason);
      expect(r.stderr).not.toContain("    at ");
    }
  });

  it("names the variant, the heap limit and what to change when a worker runs out of memory", () => {
    const r = spawnSync(
      process.execPath,
      [join(repoRoot, "bench/bin.mjs"), "run", "scenarios/ci-smoke.ts", "--variant", "*1.18", "--threads", "1", "--out", tempDir(), "--quiet"],
      { cwd: repoRoot, encoding: "utf8", env: { ...process.env, NETSCALE_WORKER_HEAP_MB: "16" } },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "error: variant cluster.kubernetesVersion=1.18 (control-plane) ran out of memory in its worker thread under a heap limit of 16 MB",
    );
    expect(r.stderr).toContain("--threads 1");
    expect(r.stderr).not.toContain("internal error");
  });

  it("finishes on its own terms whatever the scenario module does: open timers, an endless top-level await, process.exit, a huge matrix", () => {
    const dir = tempDir();
    writeFileSync(join(dir, "package.json"), '{"type":"module"}\n');
    const phold = 'model: "phold", phold: { lps: 10, population: 2, events: 1000 }';
    const files: Record<string, string> = {
      "timer.ts": `setInterval(() => {}, 1000);\nexport default { name: "timer", ${phold} };\n`,
      "tla.ts": `await new Promise(() => {});\nexport default { name: "tla", ${phold} };\n`,
      "exit.ts": `process.exit(0);\nexport default { name: "exit", ${phold} };\n`,
      "big.ts": `export default { name: "big", ${phold}, variants: { "phold.lps": Array.from({ length: 1000 }, (_, i) => i + 1), "phold.population": Array.from({ length: 1000 }, (_, i) => i + 1) } };\n`,
    };
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    const run = (f: string, ...extra: string[]) => bench(["run", join(dir, f), "--out", join(dir, `out-${f}`), "--quiet", ...extra]);
    // a timer the scenario leaves running no longer keeps the finished CLI alive
    const timer = run("timer.ts");
    expect(timer.status).toBe(0);
    expect(existsSync(join(dir, "out-timer.ts", "results.csv"))).toBe(true);
    const tla = run("tla.ts");
    expect(tla.status).toBe(2);
    expect(tla.stderr).toContain("tla.ts: the scenario module never finished loading (a top-level await in it never settles)");
    const exit = run("exit.ts");
    expect(exit.status).toBe(2);
    expect(exit.stderr).toContain("exit.ts: the scenario module called process.exit(0) while loading");
    const big = run("big.ts");
    expect(big.status).toBe(2);
    expect(big.stderr).toContain("variants: 1,000,000 combinations, over the cap of 10,000: declare fewer, or raise the cap with --max-variants");
    expect(bench(["run", "test/fixtures/tiny-phold.ts", "--max-variants", "2", "--out", tempDir()]).stderr).toContain("3 combinations, over the cap of 2");
  });

  it("writes only the requested formats, to out/<scenario-name>/ by default", () => {
    const cwd = tempDir();
    const r = bench(["run", join(process.cwd(), "test/fixtures/tiny-phold.ts"), "--format", "csv", "--quiet"], { cwd });
    expect(r.status).toBe(0);
    expect(existsSync(join(cwd, "out/tiny-phold-co/results.csv"))).toBe(true);
    expect(existsSync(join(cwd, "out/tiny-phold-co/results.json"))).toBe(false);
  });

  it("names the variants when --variant matches none", () => {
    const r = bench(["run", "test/fixtures/tiny-phold.ts", "--variant", "nothing-like-this", "--quiet"]);
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
    // an invalid one says which field, not only "invalid scenario"
    expect(bench(["list", "test/fixtures"]).stdout).toMatch(
      /test\/fixtures\/bad-nodes\.ts\s+\(invalid\)\s+-\s+phold\.lps: must be an integer in 1\.\.1000000 \(got -5\)/,
    );
  });
});

describe("bench sizeof", () => {
  it("prints the protobuf, etcd-stored and JSON sizes of an object as kubectl prints it", async () => {
    const { endpointSlice, SCALE_MD_SHAPE } = await import("../models/objects/samples.js");
    const { jsonSize, protobufSize, storedSize } = await import("../models/objects/index.js");
    const slice = endpointSlice(SCALE_MD_SHAPE, "checkout", 100);
    const dir = tempDir();
    writeFileSync(join(dir, "slice.json"), JSON.stringify(slice, null, 2));
    const r = bench(["sizeof", join(dir, "slice.json")]);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      kind: "EndpointSlice",
      protobufBytes: protobufSize(slice),
      storedBytes: storedSize(slice),
      jsonBytes: jsonSize(slice),
    });
    // the same from standard input, and a 100-endpoint slice weighs what docs/sources.md §14.5 says (+6 B per endpoint)
    const fromStdin = JSON.parse(bench(["sizeof", "-"], { input: JSON.stringify(slice) }).stdout);
    expect(fromStdin.protobufBytes).toBe(protobufSize(slice));
    expect(fromStdin.protobufBytes).toBeGreaterThan(18_717);
    expect(fromStdin.protobufBytes).toBeLessThan(18_717 + 100 * 6 + 200);
  });

  it("ignores unknown fields (and says so) but rejects other kinds, lists and non-JSON with exit 2", () => {
    const svc = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "default" },
      spec: { clusterIP: "10.0.0.1", ports: [{ port: 80 }], brandNew: true },
    };
    const ok = bench(["sizeof", "-"], { input: JSON.stringify(svc) });
    expect(ok.status).toBe(0);
    expect(ok.stderr).toContain("spec.brandNew");
    expect(JSON.parse(ok.stdout).kind).toBe("Service");
    const secret = bench(["sizeof", "-"], { input: '{"apiVersion":"v1","kind":"Secret"}' });
    expect([secret.status, secret.stderr]).toEqual([
      2,
      'error: standard input: kind: must be one of EndpointSlice, Endpoints, Service, Pod, Node, Lease, Event (got "Secret")\n',
    ]);
    expect(bench(["sizeof", "-"], { input: '{"apiVersion":"v1","kind":"List","items":[]}' }).stderr).toContain("not a list");
    expect(bench(["sizeof", "-"], { input: "{" }).stderr).toContain("not JSON");
    expect(bench(["sizeof", "missing.json"]).status).toBe(2);
    const badType = bench(["sizeof", "-"], { input: JSON.stringify({ ...svc, spec: { ports: "80" } }) });
    expect(badType.status).toBe(2);
    expect(badType.stderr).toContain("spec.ports");
  });
});

describe("network scenarios", () => {
  it("rejects cluster.nodes: -5 and an unknown proxy mode, naming the fields and what they allow", () => {
    const r = bench(["run", "test/fixtures/bad-network.ts"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("cluster.nodes: must be an integer in 1..200000 (got -5)");
    expect(r.stderr).toContain('kubeProxy.mode: must be one of "iptables", "ipvs", "nftables" (got "userspace")');
  });
});
