/**
 * `npm run bench:sweep`: the throughput of a sensitivity study. Runs `bench run <scenario> --sensitivity` (default
 * scenarios/ci-smoke.ts; `-- scenarios/15k-nodes.ts` for the headline) as a user would and prints the variant runs it
 * stands for (variants x (1 + 2 x uncertain parameters)), the distinct model parts it actually ran (a part a
 * parameter does not touch runs once for the whole study), the wall time, and runs per minute. Figures only.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { studySize } from "./study-size.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const scenario = process.argv[2] ?? "scenarios/ci-smoke.ts";
const extra = process.argv.slice(3);
const out = mkdtempSync(join(tmpdir(), "netscale-sweep-"));
try {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [join(root, "bench/bin.mjs"), "run", scenario, "--sensitivity", "--out", out, "--format", "csv,json", ...extra], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 1 << 26,
  });
  const wall = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) {
    process.stderr.write(r.stderr);
    process.exit(r.status ?? 1);
  }
  const parts = [...r.stderr.matchAll(/^progress: \[(\d+)\/(\d+)\]/gm)].map((m) => Number(m[2]))[0] ?? 0;
  const { variants, settings } = studySize(readFileSync(join(out, "sensitivity.csv"), "utf8"));
  const variantRuns = variants * settings;
  const perMinute = (n: number): string => ((n / wall) * 60).toFixed(1);
  process.stdout.write(
    [
      `${scenario} --sensitivity: ${variants} variants x ${settings} settings (base + low/high of each uncertain parameter)`,
      `  variant runs:  ${variantRuns}  (${perMinute(variantRuns)} per minute)`,
      `  parts run:     ${parts}  (${perMinute(parts)} per minute; parts a parameter does not touch run once)`,
      `  wall:          ${wall.toFixed(1)} s`,
      "",
    ].join("\n"),
  );
} finally {
  rmSync(out, { recursive: true, force: true });
}
