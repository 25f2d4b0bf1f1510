/** Helpers for tests that drive the real `bench` command. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, onTestFinished } from "vitest";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bench <args>` as a user would (node bench/bin.mjs), from the repository root. */
export function bench(args: string[], options: { cwd?: string; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(repoRoot, "bench/bin.mjs"), ...args], {
    cwd: options.cwd ?? repoRoot,
    encoding: "utf8",
    input: options.input,
    env: { ...process.env, FORCE_COLOR: "0" },
    timeout: 240_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A fresh directory under the system's temporary directory, removed when the test (or, outside a test, the file) ends. */
export function tempDir(prefix = "netscale-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    onTestFinished(remove);
  } catch {
    afterAll(remove);
  }
  return dir;
}
