import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

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
