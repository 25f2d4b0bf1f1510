import { spawn, spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bench, repoRoot, tempDir } from "../test/cli.js";

// three of ci-smoke's variants (an era, an EndpointSlice algorithm, a DNS placement) keep the test short
const VARIANTS = "*kubernetesVersion=1.21|*=stable-hash,*=100|*placement=nodelocal";

function read(dir: string, file: string): string {
  return readFileSync(join(dir, file), "utf8");
}

describe("sweeps: worker threads, shards and merge give the bytes of one single-threaded run", () => {
  it("threads 1 vs 2, and 2 shards merged vs unsharded, on ci-smoke: byte-identical CSV, JSON and HTML", () => {
    const [one, two, s1, s2, merged] = [tempDir(), tempDir(), tempDir(), tempDir(), tempDir()];
    const run = (...args: string[]): void => {
      const r = bench(["run", "scenarios/ci-smoke.ts", "--variant", VARIANTS, "--quiet", ...args]);
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
    };
    run("--threads", "1", "--out", one);
    run("--threads", "2", "--out", two);
    run("--shard", "1/2", "--out", s1);
    run("--shard", "2/2", "--out", s2);
    const m = bench(["merge", s2, s1, "--out", merged, "--quiet"]);
    expect(m.status).toBe(0);

    expect(JSON.parse(read(one, "results.json")).variants).toHaveLength(3);
    for (const f of ["results.csv", "results.json", "report.html"]) {
      expect(read(two, f)).toBe(read(one, f));
      expect(read(merged, f)).toBe(read(one, f));
    }
    // round robin: shard 1 holds variants 1 and 3, shard 2 variant 2
    expect(JSON.parse(read(s1, "results.json")).variants).toHaveLength(2);
    expect(JSON.parse(read(s2, "results.json")).shard).toEqual({
      index: 2,
      count: 2,
      variants: JSON.parse(read(one, "results.json")).variants,
      planSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      tool: "k8s-netscale 0.1.0",
    });
  }, 240_000);

  it("a shard that receives no variant writes an empty part and exits, and the merge of all parts is the unsharded run", () => {
    // tiny-phold has 3 variants: shard 4 of 4 gets none (it used to wait for a worker forever)
    const [whole, ...parts] = [tempDir(), tempDir(), tempDir(), tempDir(), tempDir()];
    const merged = tempDir();
    expect(bench(["run", "test/fixtures/tiny-phold.ts", "--out", whole, "--quiet"]).status).toBe(0);
    parts.forEach((dir, i) => {
      const r = bench(["run", "test/fixtures/tiny-phold.ts", "--shard", `${i + 1}/4`, "--out", dir, "--quiet"]);
      expect(r.status, r.stderr).toBe(0);
    });
    expect(JSON.parse(read(parts[3], "results.json")).rows).toEqual([]);
    expect(bench(["merge", ...parts, "--out", merged, "--quiet"]).status).toBe(0);
    for (const f of ["results.csv", "results.json"]) expect(read(merged, f)).toBe(read(whole, f));
  }, 60_000);

  it("bench merge refuses parts of two versions of a scenario, naming them", () => {
    // the same name, seed and variants; one file runs 20,000 events, its edit 30,000
    const dir = tempDir();
    const scenario = (events: number): string =>
      `export default { name: "edited", model: "phold", seed: 3, phold: { lps: 20, population: 2, events: ${events} }, variants: { "phold.remoteFraction": [1, 0.5] } };\n`;
    writeFileSync(join(dir, "a.ts"), scenario(20_000));
    writeFileSync(join(dir, "b.ts"), scenario(30_000));
    const [p1, p2] = [tempDir(), tempDir()];
    expect(bench(["run", join(dir, "a.ts"), "--shard", "1/2", "--out", p1, "--quiet"]).status).toBe(0);
    expect(bench(["run", join(dir, "b.ts"), "--shard", "2/2", "--out", p2, "--quiet"]).status).toBe(0);
    const r = bench(["merge", p1, p2, "--out", tempDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("shard 2/2 and shard 1/2 come from different versions of the scenario");
  }, 60_000);

  it("bench merge names what is wrong: a missing shard, a non-shard, shards of different runs", () => {
    const [s1, s2, other] = [tempDir(), tempDir(), tempDir()];
    for (const [dir, shard, seed] of [
      [s1, "1/2", "7"],
      [s2, "2/2", "7"],
      [other, "2/2", "8"],
    ]) {
      expect(bench(["run", "test/fixtures/tiny-phold.ts", "--shard", shard, "--seed", seed, "--out", dir, "--quiet"]).status).toBe(0);
    }
    expect(bench(["merge", s1]).stderr).toContain("missing shard(s) 2/2");
    expect(bench(["merge", s1, other]).stderr).toContain('shards of different runs: "tiny <phold> & co" seed 7 vs "tiny <phold> & co" seed 8');
    expect(bench(["merge", s1, s1]).stderr).toContain("shard 1/2 given twice");
    const r = bench(["merge", tempDir()]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("not found (run bench run --shard i/N --out DIR first)");
  }, 60_000);
});

describe("interrupting a run", () => {
  it("SIGINT stops it with a non-zero exit and leaves the previous reports untouched", async () => {
    const out = tempDir();
    const previous = { "results.csv": "previous csv\n", "results.json": "{}\n", "report.html": "<p>previous</p>\n" };
    for (const [f, text] of Object.entries(previous)) writeFileSync(join(out, f), text);
    const child = spawn(process.execPath, [join(repoRoot, "bench/bin.mjs"), "run", "scenarios/ci-smoke.ts", "--out", out, "--quiet"], { cwd: repoRoot });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    // interrupt once the workers are running variants (the run as a whole takes far longer)
    setTimeout(() => child.kill("SIGINT"), 3000);
    const code = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    expect(code).toBe(130);
    expect(stderr).toContain(`interrupted (SIGINT): nothing written; reports already in ${out} are untouched`);
    for (const [f, text] of Object.entries(previous)) expect(read(out, f)).toBe(text);
    expect(readdirSync(out).sort()).toEqual(Object.keys(previous).sort());
    expect(existsSync(join(out, "summary.md"))).toBe(false);
  }, 60_000);

  const npx = spawnSync("npx", ["--version"], { encoding: "utf8" });
  if (npx.status !== 0) console.warn("sweep.test.ts: skipping the npx kill test: npx is not on PATH");
  it.skipIf(npx.status !== 0)(
    "kill -TERM to npx 5 s into the headline leaves the previous reports byte-identical 60 s later",
    async () => {
      const out = tempDir();
      const previous = { "results.csv": "previous csv\n", "results.json": "{}\n", "report.html": "<p>previous</p>\n", "summary.md": "# previous\n" };
      for (const [f, text] of Object.entries(previous)) writeFileSync(join(out, f), text);
      // npx runs node under npm and a shell; npm does not pass SIGTERM on, so the run itself must notice npm is gone
      const wrapper = spawn("npx", ["bench", "run", "scenarios/15k-nodes.ts", "--out", out, "--quiet"], { cwd: repoRoot, stdio: "ignore" });
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      wrapper.kill("SIGTERM");
      await new Promise((resolve) => setTimeout(resolve, 60_000));
      for (const [f, text] of Object.entries(previous)) expect(read(out, f)).toBe(text);
      expect(readdirSync(out).sort()).toEqual(Object.keys(previous).sort());
      // and no process of that run is left
      expect(spawnSync("pgrep", ["-f", out], { encoding: "utf8" }).stdout.trim()).toBe("");
    },
    120_000,
  );
});
