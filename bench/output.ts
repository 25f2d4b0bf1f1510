import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";

/** A failure to write reports (a full disk, a lost mount): said in one sentence, exit 1, the previous reports kept. */
export class ReportWriteError extends Error {
  override name = "ReportWriteError";
}

function writeFailure(e: unknown, where: string): ReportWriteError {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === "ENOSPC" ? "no space left on the device" : err.code === "EDQUOT" ? "disk quota exceeded" : (err.code ?? err.message);
  return new ReportWriteError(`cannot write the reports to ${where}: ${why}; the previous reports there are as they were`);
}

export interface SetWriter {
  writeFile(path: string, content: string): void;
}

const DIRECT: SetWriter = { writeFile: (p, c) => writeFileSync(p, c) };

/**
 * Writes single files (a baseline, a JUnit file) so that a failure never leaves a half-written one: each goes to a
 * temporary name beside it, renamed over the previous only when every file is written; temporary files are removed
 * on any failure.
 */
export function writeReports(dir: string, files: Record<string, string>): string[] {
  makeDirs(dir);
  return writeReportsWith(dir, files, DIRECT);
}

/** One file, written as writeReports writes: `--junit`, `--markdown`, a baseline, a profile. */
export function writeReport(path: string, content: string): void {
  writeReports(dirname(resolve(path)), { [basename(path)]: content });
}

/** What a run or a merge writes (and the gate adds): a directory holding only these is the tool's to replace whole. */
const REPORT_FILES = new Set(["results.csv", "results.json", "report.html", "summary.md", "run.json", "sensitivity.csv", "stats.csv", "junit.xml", "gate.md"]);

/**
 * Writes a run's set of reports so that the directory holds either the whole previous set or the whole new one, never
 * a mix: the new set is written into a fresh sibling directory, which then takes the old one's place (the old one is
 * moved aside first and removed last; if anything fails it is moved back). Files of formats not requested this time
 * go with the old set. A directory that also holds files that are not reports (`--out .`) is never moved: there the
 * set is written file by file (temporary names, then renames) and the other formats' reports removed.
 */
export function writeReportSet(dir: string, files: Record<string, string>, writer: SetWriter = DIRECT): string[] {
  const target = resolve(dir);
  const hadOld = statSync(target, { throwIfNoEntry: false }) !== undefined;
  const existing = hadOld ? readdirSync(target) : [];
  const foreign = existing.some((f) => !REPORT_FILES.has(f) && !/^\..*\.\d+\.tmp$/.test(f));
  const finals = Object.keys(files).map((name) => join(target, name));
  if (foreign) {
    const written = writeReportsWith(target, files, writer);
    for (const f of existing) if (REPORT_FILES.has(f) && !(f in files)) rmSync(join(target, f), { force: true });
    return written;
  }
  const parent = dirname(target);
  const fresh = join(parent, `.${basename(target)}.new-${process.pid}`);
  const aside = join(parent, `.${basename(target)}.old-${process.pid}`);
  rmSync(fresh, { recursive: true, force: true });
  try {
    mkdirSync(fresh);
    for (const [name, content] of Object.entries(files)) writer.writeFile(join(fresh, name), content);
  } catch (e) {
    rmSync(fresh, { recursive: true, force: true });
    throw writeFailure(e, target);
  }
  try {
    if (hadOld) renameSync(target, aside);
    renameSync(fresh, target);
  } catch (e) {
    if (hadOld && statSync(target, { throwIfNoEntry: false }) === undefined) renameSync(aside, target);
    rmSync(fresh, { recursive: true, force: true });
    throw writeFailure(e, target);
  }
  if (hadOld) rmSync(aside, { recursive: true, force: true });
  return finals;
}

/** Each file to a temporary name beside it, then all renamed; the temporary files removed on any failure. */
function writeReportsWith(dir: string, files: Record<string, string>, writer: SetWriter): string[] {
  const staged: [string, string][] = [];
  try {
    for (const [name, content] of Object.entries(files)) {
      const tmp = join(dir, `.${name}.${process.pid}.tmp`);
      staged.push([tmp, join(dir, name)]);
      writer.writeFile(tmp, content);
    }
  } catch (e) {
    for (const [tmp] of staged) rmSync(tmp, { force: true });
    throw writeFailure(e, dir);
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
