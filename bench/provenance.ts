/**
 * run.json: where and how a run was made, beside its results (which stay byte-identical for a scenario and seed, so
 * none of this may enter them): tool version, git commit and whether the tree was dirty (in a checkout), Node, OS,
 * CPU, command line, scenario file hash, threads, shard, start time and wall time.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { arch, cpus, release, type } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { TOOL } from "./tool.js";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface RunContext {
  scenarioFile: string;
  threads: number;
  shard?: { index: number; count: number };
  sensitivity: boolean;
  startedAt: Date;
  wallSeconds: number;
}

export function runJson(run: RunContext): string {
  const cpu = cpus();
  const provenance = {
    tool: { name: TOOL.name, version: TOOL.version },
    ...gitState(),
    node: process.version,
    os: `${type()} ${release()} ${arch()}`,
    cpu: { model: cpu[0]?.model.trim() ?? "unknown", cores: cpu.length },
    command: ["bench", ...process.argv.slice(2)],
    scenario: { file: run.scenarioFile, sha256: createHash("sha256").update(readFileSync(run.scenarioFile)).digest("hex") },
    threads: run.threads,
    ...(run.shard === undefined ? {} : { shard: `${run.shard.index}/${run.shard.count}` }),
    sensitivity: run.sensitivity,
    startedAt: run.startedAt.toISOString(),
    wallSeconds: Number(run.wallSeconds.toFixed(3)),
  };
  return `${JSON.stringify(provenance, null, 2)}\n`;
}

/** The checkout's commit and whether it had changes; nothing when the tool does not run from a git checkout. */
function gitState(): { git?: { commit: string; dirty: boolean } } {
  if (!existsSync(join(repoRoot, ".git"))) return {};
  const git = (...args: string[]) => spawnSync("git", ["-C", repoRoot, ...args], { encoding: "utf8", timeout: 5_000 });
  const head = git("rev-parse", "HEAD");
  if (head.status !== 0) return {};
  const status = git("status", "--porcelain", "--untracked-files=no");
  return { git: { commit: head.stdout.trim(), dirty: status.status !== 0 || status.stdout.trim() !== "" } };
}
