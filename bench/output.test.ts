import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../test/cli.js";
import { ReportWriteError, writeReportSet } from "./output.js";

const previous = { "results.csv": "old csv\n", "results.json": "{}\n", "report.html": "<p>old</p>\n", "summary.md": "# old\n" };

function withPrevious(extra: Record<string, string> = {}): string {
  const dir = join(tempDir(), "out");
  writeReportSet(dir, { ...previous, ...extra });
  for (const [f, text] of Object.entries(extra)) writeFileSync(join(dir, f), text);
  return dir;
}

describe("writing a run's reports", () => {
  it("replaces the whole set: formats not requested this time do not stay behind from another run", () => {
    const dir = withPrevious();
    writeReportSet(dir, { "results.csv": "new csv\n", "run.json": "{}\n" });
    expect(readdirSync(dir).sort()).toEqual(["results.csv", "run.json"]);
    expect(readFileSync(join(dir, "results.csv"), "utf8")).toBe("new csv\n");
    // nothing left beside it
    expect(readdirSync(dirname(dir))).toEqual(["out"]);
  });

  it("keeps the previous set intact, with no temporary file or directory left, when a write fails (a full disk)", () => {
    const dir = withPrevious();
    // a disk that fills up on the second file
    const full = () => {
      let n = 0;
      return {
        writeFile(path: string, content: string): void {
          if (++n === 2) throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
          writeFileSync(path, content);
        },
      };
    };
    const files = { "results.csv": "new\n", "results.json": "new\n" };
    expect(() => writeReportSet(dir, files, full())).toThrow(ReportWriteError);
    expect(() => writeReportSet(dir, files, full())).toThrow(`cannot write the reports to ${dir}: no space left on the device`);
    for (const [f, text] of Object.entries(previous)) expect(readFileSync(join(dir, f), "utf8")).toBe(text);
    expect(readdirSync(dir).sort()).toEqual(Object.keys(previous).sort());
    expect(readdirSync(dirname(dir))).toEqual(["out"]);
  });

  it("never moves a directory that holds other files (--out .): writes in place and removes only stale reports", () => {
    const dir = withPrevious({ "notes.txt": "mine\n" });
    writeReportSet(dir, { "results.csv": "new csv\n" });
    expect(readdirSync(dir).sort()).toEqual(["notes.txt", "results.csv"]);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine\n");
    expect(existsSync(join(dir, "report.html"))).toBe(false);
  });
});
