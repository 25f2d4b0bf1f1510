import { mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";

/**
 * Writes a set of report files so that an interrupted or failed run never leaves a half-written report: every file
 * goes to a temporary name in the same directory first, and only when all are written are they renamed over the
 * previous ones.
 */
export function writeReports(dir: string, files: Record<string, string>): string[] {
  mkdirSync(dir, { recursive: true });
  const staged: [string, string][] = [];
  try {
    for (const [name, content] of Object.entries(files)) {
      const tmp = join(dir, `.${name}.${process.pid}.tmp`);
      writeFileSync(tmp, content);
      staged.push([tmp, join(dir, name)]);
    }
  } catch (e) {
    for (const [tmp] of staged) rmSync(tmp, { force: true });
    throw e;
  }
  for (const [tmp, final] of staged) renameSync(tmp, final);
  return staged.map(([, final]) => final);
}

/** A directory name for a scenario name: lower case, safe characters only. */
export function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[-.]+|-+$/g, "");
  return s === "" ? "scenario" : s.slice(0, 80);
}

/**
 * Makes sure reports can be written to `dir` before anything runs: it is created if missing, and a probe file is
 * written and removed. Returns why not (a sentence naming the path), or undefined when it can.
 */
export function outputDirProblem(dir: string): string | undefined {
  if (dir.trim() === "") return "--out is empty: give a directory";
  try {
    const st = statSync(dir, { throwIfNoEntry: false });
    if (st !== undefined && !st.isDirectory()) return `--out ${dir}: not a directory`;
    makeDirs(dir);
    const probe = join(dir, `.probe.${process.pid}.tmp`);
    writeFileSync(probe, "");
    rmSync(probe, { force: true });
    return undefined;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return `--out ${dir}: cannot write reports there (${err.code ?? err.message})`;
  }
}

/**
 * mkdir -p, one level at a time: Node's recursive mkdir retries forever where a parent refuses new entries with
 * ENOENT (under /proc), so a bad --out would spin instead of failing.
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  let at = resolve(dir);
  while (statSync(at, { throwIfNoEntry: false }) === undefined) {
    missing.push(at);
    const parent = dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const d of missing.reverse()) mkdirSync(d);
}
