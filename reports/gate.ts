import type { CheckStatus, GateCheck, GateOutcome } from "./results.js";
import { escapeHtml } from "./html.js";
import { escapeMarkdown } from "./markdown.js";
import { humanNumber } from "./table.js";

/** The relative change in percent, or "" when there is nothing to compare. */
export function changeText(check: GateCheck): string {
  if (check.baseline === undefined || check.current === undefined) return "";
  if (check.baseline === 0) return check.current === 0 ? "0%" : "from 0";
  const pct = ((check.current - check.baseline) / Math.abs(check.baseline)) * 100;
  return `${pct >= 0 ? "+" : ""}${Math.abs(pct) >= 10 ? pct.toFixed(0) : pct.toPrecision(2)}%`;
}

export function gateCounts(outcome: GateOutcome): Record<CheckStatus, number> {
  const counts: Record<CheckStatus, number> = { same: 0, improved: 0, regressed: 0, changed: 0, missing: 0, new: 0, ignored: 0 };
  for (const c of outcome.checks) counts[c.status]++;
  return counts;
}

const SHOWN: readonly CheckStatus[] = ["regressed", "changed", "missing", "improved", "new"];

/** Checks worth a line: failures first, then improvements and new metrics; the largest relative change first within each. */
function notable(outcome: GateOutcome): GateCheck[] {
  const size = (c: GateCheck): number => {
    if (c.baseline === undefined || c.current === undefined) return -1;
    if (c.baseline === 0) return c.current === 0 ? 0 : Number.POSITIVE_INFINITY;
    return Math.abs((c.current - c.baseline) / c.baseline);
  };
  return SHOWN.flatMap((s) =>
    outcome.checks
      .map((c, i) => ({ c, i }))
      .filter(({ c }) => c.status === s)
      .sort((a, b) => size(b.c) - size(a.c) || a.i - b.i)
      .map(({ c }) => c),
  );
}

function verdict(outcome: GateOutcome): string {
  const n = gateCounts(outcome);
  const compared = outcome.checks.length - n.ignored - n.new;
  const tally = `${compared} metrics compared: ${n.regressed} regressed, ${n.changed} changed, ${n.missing} missing, ${n.improved} improved, ${n.new} new`;
  return `${outcome.failures.length > 0 ? "FAIL" : "PASS"}: ${printable(outcome.scenario)} (seed ${outcome.seed}) against the baseline: ${tally}`;
}

/** Text from a results file for a terminal: control characters (escape sequences among them) become visible "?". */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

function cells(c: GateCheck): string[] {
  return [c.status, c.variant, c.metric, humanNumber(c.baseline), humanNumber(c.current), changeText(c), c.unit, c.rule, c.better].map(printable);
}

const HEADER = ["status", "variant", "metric", "baseline", "current", "change", "unit", "rule", "better"];

/** The terminal table of what changed, then the verdict. */
export function gateText(outcome: GateOutcome, limit = 200): string {
  const list = notable(outcome);
  const rows = list.slice(0, limit).map(cells);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]): string =>
    r
      .map((c, i) => (i >= 3 && i <= 5 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join("  ")
      .trimEnd();
  const out = rows.length === 0 ? [] : [line(HEADER), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)];
  if (list.length > limit) out.push(`... and ${list.length - limit} more (see junit.xml)`);
  out.push(verdict(outcome));
  return `${out.join("\n")}\n`;
}

/**
 * Markdown for a CI job summary or a pull-request comment: the verdict, then the largest regressions first, at most
 * `limit` rows of six narrow columns (the rule and direction are in junit.xml and the terminal table).
 */
export function gateMarkdown(outcome: GateOutcome, limit = 30): string {
  const list = notable(outcome);
  const out = [`### bench gate: ${escapeMarkdown(verdict(outcome))}`, ""];
  if (list.length > 0) {
    const header = HEADER.slice(0, 6);
    out.push(`| ${header.join(" | ")} |`, `|${header.map((_, i) => (i >= 3 ? " ---: " : " --- ")).join("|")}|`);
    for (const c of list.slice(0, limit)) out.push(`| ${cells(c).slice(0, 6).map(escapeMarkdown).join(" | ")} |`);
    if (list.length > limit) out.push("", `... and ${list.length - limit} more (junit.xml and the job log list them all).`);
  }
  return `${out.join("\n")}\n`;
}

/** Text for XML content and attributes: characters XML 1.0 cannot hold at all are dropped, the rest escaped. */
function xml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return escapeHtml(text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, ""));
}

/** JUnit XML: one test suite per variant, one test case per compared metric; failures carry the numbers. */
export function gateJunit(outcome: GateOutcome): string {
  const byVariant = new Map<string, GateCheck[]>();
  for (const c of outcome.checks) {
    if (c.status === "ignored") continue;
    let list = byVariant.get(c.variant);
    if (list === undefined) byVariant.set(c.variant, (list = []));
    list.push(c);
  }
  const failed = new Set(outcome.failures);
  const suites = [...byVariant].map(([variant, checks]) => {
    const failures = checks.filter((c) => failed.has(c)).length;
    const cases = checks.map((c) => {
      const open = `    <testcase classname="${xml(`${outcome.scenario}.${variant}`)}" name="${xml(c.metric)}">`;
      if (!failed.has(c)) return `${open}</testcase>`;
      const message = `${c.status}: ${c.metric} ${humanNumber(c.baseline)} -> ${humanNumber(c.current)} ${c.unit} (${changeText(c) || "n/a"}; rule ${c.rule}, ${c.better} is better)`;
      return `${open}\n      <failure type="${c.status}" message="${xml(message)}"/>\n    </testcase>`;
    });
    return `  <testsuite name="${xml(`${outcome.scenario} / ${variant}`)}" tests="${checks.length}" failures="${failures}" errors="0">\n${cases.join("\n")}\n  </testsuite>`;
  });
  const tests = [...byVariant.values()].reduce((n, l) => n + l.length, 0);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="${xml(`bench gate ${outcome.scenario}`)}" tests="${tests}" failures="${outcome.failures.length}">\n${suites.join("\n")}\n</testsuites>\n`;
}
