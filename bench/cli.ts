import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { TOOL } from "./tool.js";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Results } from "../reports/results.js";
import { compareMarkdown, compareRuns, compareText } from "../reports/compare.js";
import { toCsv } from "../reports/csv.js";
import { toHtml } from "../reports/html.js";
import { fromJson, toJson } from "../reports/json.js";
import { toMarkdown } from "../reports/markdown.js";
import { gateJunit, gateMarkdown, gateText } from "../reports/gate.js";
import { toTextSummary } from "../reports/text.js";
import type { Perturbation } from "../reports/verdict.js";
import { jsonSize, parseKubeObject, protobufSize, storedSize } from "../models/objects/index.js";
import { InputError, loadScenarioFile } from "./load.js";
import { outputDirProblem, ReportWriteError, slug, writeReport, writeReportSet } from "./output.js";
import { Progress } from "./progress.js";
import { runReconcileCase, withPluginLoaded } from "./reconcile.js";
import { packingAlgorithmFor } from "./plugins.js";
import { INVARIANTS, asReconcileCase, verifyAlgorithm } from "./verify-algorithm.js";
import {
  CALIBRATED_MODES,
  buildProfile,
  calibrationUnavailable,
  measureInNamespace,
  measurePoint,
  residualTable,
  setIptablesRestore,
  syncInput,
  syntheticRuleset,
  type CalibratedMode,
} from "./calibrate.js";
import { answersFrom, resolve as resolveLookup } from "./resolve.js";
import { gateResults, ruleFor } from "./gate.js";
import { mergeShards } from "./merge.js";
import { Interrupted, RunFailure, runInWorkers } from "./pool.js";
import { watchLifeline } from "./lifeline.js";
import { assembleResults, distinctRunsOf, planRun, type RunPart, type VariantOutcome } from "./runner.js";
import { planSensitivity, sensitivityCsv } from "./study.js";
import { statsCsv } from "../reports/replication.js";
import { runJson } from "./provenance.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const version = TOOL.version;

const FORMATS = ["csv", "json", "html", "md"] as const;
type Format = (typeof FORMATS)[number];
const FILE_OF: Record<Format, string> = { csv: "results.csv", json: "results.json", html: "report.html", md: "summary.md" };
const RENDER: Record<Format, (r: Results, perturbations: readonly Perturbation[]) => string> = {
  csv: toCsv,
  json: toJson,
  html: toHtml,
  md: toMarkdown,
};

function parseSeed(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n > 2 ** 31 - 1) throw new InvalidArgumentError("must be an integer in 0..2147483647");
  return n;
}

function parseFormats(v: string): Format[] {
  const list = v
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = list.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (bad.length > 0 || list.length === 0) throw new InvalidArgumentError(`must be a comma-separated list of ${FORMATS.join(", ")} (got ${JSON.stringify(v)})`);
  return [...new Set(list)] as Format[];
}

function parseCount(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || !Number.isSafeInteger(n)) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

function parseSmallCount(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > 256) throw new InvalidArgumentError("must be an integer in 1..256");
  return n;
}

function parseShard(v: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(v);
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || count > 10_000 || index < 1 || index > count)
    throw new InvalidArgumentError(`must be i/N with 1 <= i <= N, e.g. 1/4 (got ${JSON.stringify(v)})`);
  return { index, count };
}

interface RunFlags {
  seed?: number;
  out?: string;
  format: Format[];
  variant?: string;
  threads: number;
  shard?: { index: number; count: number };
  sensitivity?: boolean;
  seeds?: number;
  maxVariants?: number;
  quiet?: boolean;
}

/** Reports for a finished run, rendered in memory and then swapped in all together. */
function writeFormats(
  dir: string,
  results: Results,
  formats: Format[],
  perturbations: readonly Perturbation[] = [],
  extra: Record<string, string> = {},
): string[] {
  const files: Record<string, string> = {};
  for (const f of formats) files[FILE_OF[f]] = RENDER[f](results, perturbations);
  return writeReportSet(dir, { ...files, ...extra });
}

function printWritten(written: string[]): void {
  process.stdout.write(`wrote ${written.map((w) => relative(process.cwd(), w) || w).join(", ")}\n`);
}

/** How the terminal names a part of a variant's run. */
const PART_NAMES: Record<RunPart, string> = { whole: "run", "control-plane": "control plane", dns: "DNS traffic" };

async function runCommand(file: string, flags: RunFlags): Promise<void> {
  const startedAt = new Date();
  const loaded = await loadScenarioFile(file, { maxVariants: flags.maxVariants });
  const plan = planRun(loaded, { seed: flags.seed, variantPattern: flags.variant, shard: flags.shard });
  const dir = flags.out ?? join("out", slug(loaded.base.name) + (flags.shard ? `-shard-${flags.shard.index}-of-${flags.shard.count}` : ""));
  const outProblem = outputDirProblem(dir);
  if (outProblem !== undefined) throw new InputError(outProblem);
  if (flags.sensitivity && loaded.base.uncertain.length === 0) {
    throw new InputError(`--sensitivity: ${loaded.file} declares no uncertain parameters (uncertain: [{ parameter, low, high, why }])`);
  }
  // replication: seeds seed, seed+1, ...; each seed runs the base and every perturbation (paired: same seed)
  const seeds = Array.from({ length: flags.seeds ?? 1 }, (_, k) => plan.seed + k);
  const perturbedPlans = flags.sensitivity ? planSensitivity(loaded, plan) : [];
  const plans = seeds.flatMap((seed) => [plan, ...perturbedPlans.map((p) => p.plan)].map((p) => ({ ...p, seed })));
  const { runs, partsOf: partsOfPlans } = distinctRunsOf(plans);
  const partsOf = partsOfPlans[0];
  const perSeed = 1 + perturbedPlans.length;
  const progress = new Progress(flags.quiet ? "off" : process.stderr.isTTY === true ? "bar" : "lines");
  let done = 0;
  const outcomes: VariantOutcome[] = new Array(runs.length);
  const fractions = new Array<number>(runs.length).fill(0);
  const report = (index: number, fraction: number): void => {
    fractions[index] = Math.min(1, fraction);
    progress.update(fractions.reduce((a, b) => a + b, 0) / Math.max(1, fractions.length), runs[index].label);
  };
  // Ctrl-C stops the workers; nothing is written, so the previous reports in the output directory stay as they were.
  const interrupt = new AbortController();
  let stoppedBy = "";
  const unwatch = watchLifeline((reason) => {
    stoppedBy = reason;
    interrupt.abort();
  });
  let metricsByRun: Awaited<ReturnType<typeof runInWorkers>>;
  try {
    metricsByRun = await runInWorkers(runs, {
      threads: flags.threads,
      signal: interrupt.signal,
      onProgress: report,
      onVariantDone: (o, i) => {
        outcomes[i] = o;
        report(i, 1);
        progress.finished(++done, runs.length, `${o.label}${o.part === "whole" ? "" : ` (${PART_NAMES[o.part]})`}`, o.wallSeconds);
      },
    });
  } catch (e) {
    if (e instanceof Interrupted) throw new Interrupted(`interrupted (${stoppedBy}): nothing written; reports already in ${dir} are untouched`);
    throw e;
  } finally {
    unwatch();
    progress.stop();
  }
  // plan k of seed s is plans[s * perSeed + k]: k = 0 the base, k > 0 the perturbations
  const assemble = (k: number): Results => {
    const bySeed = seeds.map((_, s) =>
      assembleResults(
        loaded,
        plans[s * perSeed + k],
        partsOfPlans[s * perSeed + k].map((parts) => parts.flatMap((i) => metricsByRun[i])),
      ),
    );
    if (seeds.length === 1) return bySeed[0];
    const { scenario, seed, ...rest } = bySeed[0];
    return { scenario, seed, seeds, ...rest, rows: bySeed.flatMap((r) => r.rows) };
  };
  const results = assemble(0);
  const perturbations: Perturbation[] = perturbedPlans.map((p, k) => ({ parameter: p.parameter, level: p.level, value: p.value, results: assemble(k + 1) }));
  const extra: Record<string, string> = flags.sensitivity ? { "sensitivity.csv": sensitivityCsv(results, perturbations) } : {};
  if (seeds.length > 1) extra["stats.csv"] = statsCsv(results);
  extra["run.json"] = runJson({
    scenarioFile: resolve(file),
    threads: flags.threads,
    shard: flags.shard,
    sensitivity: flags.sensitivity === true,
    startedAt,
    wallSeconds: (Date.now() - startedAt.getTime()) / 1000,
  });
  const written = writeFormats(dir, results, flags.format, perturbations, extra);
  if (flags.quiet) return;
  process.stdout.write(toTextSummary(results, perturbations));
  process.stdout.write("\n");
  outcomes.forEach((o) => {
    const rate = o.wallSeconds > 0 ? Math.round(o.events / o.wallSeconds) : 0;
    const part = o.part === "whole" ? "" : ` (${PART_NAMES[o.part]})`;
    process.stdout.write(`variant ${o.label}${part}: ${o.events} events in ${o.wallSeconds.toFixed(2)} s wall (${rate} events/s)\n`);
  });
  plan.variants.forEach((v, i) => {
    const shared = partsOf[i].filter((r) => runs[r].label !== v.label).map((r) => `its ${PART_NAMES[runs[r].part]} is ${runs[r].label}'s`);
    if (shared.length > 0) process.stdout.write(`variant ${v.label}: ${shared.join(", ")} (the same configuration)\n`);
  });
  printWritten(written);
}

/** `bench merge`: the shards of one sharded run -> the reports an unsharded run writes, byte for byte. */
function mergeCommand(dirs: string[], flags: { out?: string; format: Format[]; quiet?: boolean }): void {
  const shards = dirs.map((d) => readResults(join(d, "results.json"), "shard"));
  let merged: Results;
  try {
    merged = mergeShards(shards);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  const outDir = flags.out ?? join("out", slug(merged.scenario));
  const outProblem = outputDirProblem(outDir);
  if (outProblem !== undefined) throw new InputError(outProblem);
  const written = writeFormats(outDir, merged, flags.format);
  if (!flags.quiet) printWritten(written);
}

async function listCommand(dir: string): Promise<void> {
  const abs = resolve(dir);
  let files: string[];
  try {
    files = readdirSync(abs)
      .filter((f) => /\.(ts|mts|js|mjs)$/.test(f) && !/\.test\./.test(f))
      .sort();
  } catch {
    throw new InputError(`no scenarios directory at ${dir}`);
  }
  const rows: string[][] = [];
  for (const f of files) {
    const path = join(dir, f);
    try {
      const s = await loadScenarioFile(path);
      rows.push([path, s.base.name, String(s.variants.length), s.base.description?.split("\n")[0] ?? ""]);
    } catch (e) {
      // the first problem, with its field: "invalid scenario" alone does not say what to fix
      const lines = e instanceof Error ? e.message.split("\n") : [String(e)];
      const first = lines.length > 1 && lines[0].endsWith("invalid scenario") ? lines[1].trim() : lines[0];
      rows.push([path, "(invalid)", "-", first]);
    }
  }
  const header = ["file", "name", "variants", "description"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [header, ...rows])
    process.stdout.write(
      `${r
        .map((c, i) => (i === 3 ? c : c.padEnd(widths[i])))
        .join("  ")
        .trimEnd()}\n`,
    );
}

/** Reads a JSON file (or standard input for "-"), with the errors a user can act on. */
function readJsonInput(file: string): unknown {
  const where = file === "-" ? "standard input" : file;
  let text: string;
  try {
    text = readFileSync(file === "-" ? 0 : file, "utf8");
  } catch (e) {
    throw new InputError(`cannot read ${where}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`${where}: not JSON (${(e as Error).message})`);
  }
}

/** `bench sizeof`: one object as kubectl prints it -> its protobuf body, etcd-stored and JSON sizes. */
function sizeofCommand(file: string): void {
  const json = readJsonInput(file);
  let parsed: ReturnType<typeof parseKubeObject>;
  try {
    parsed = parseKubeObject(json);
  } catch (e) {
    throw new InputError(`${file === "-" ? "standard input" : file}: ${(e as Error).message}`);
  }
  const { object, ignored } = parsed;
  if (ignored.length > 0) {
    const shown = ignored.slice(0, 8).join(", ") + (ignored.length > 8 ? `, ... (${ignored.length} in all)` : "");
    process.stderr.write(`note: fields the size model does not hold were left out of the sizes: ${shown}\n`);
  }
  const out = { kind: object.kind, protobufBytes: protobufSize(object), storedBytes: storedSize(object), jsonBytes: jsonSize(object) };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

function parseCountList(max: number) {
  return (v: string): number[] => {
    const list = v.split(",").map((x) => x.trim());
    if (list.length === 0 || list.some((x) => !/^\d+$/.test(x) || Number(x) < 1 || Number(x) > max)) {
      throw new InvalidArgumentError(`must be a count in 1..${max}, or a comma-separated list of them (got ${JSON.stringify(v)})`);
    }
    return list.map(Number);
  };
}

function parseModes(v: string): CalibratedMode[] {
  if (v === "all") return [...CALIBRATED_MODES];
  const list = v.split(",").map((x) => x.trim());
  if (list.length === 0 || list.some((m) => !(CALIBRATED_MODES as readonly string[]).includes(m))) {
    throw new InvalidArgumentError(`must be ${CALIBRATED_MODES.join(", ")} or all (got ${JSON.stringify(v)})`);
  }
  return [...new Set(list)] as CalibratedMode[];
}

interface CalibrateFlags {
  mode: CalibratedMode[];
  services: number[];
  endpointsPerService: number[];
  repeats: number;
  emit?: boolean;
  json?: boolean;
  out: string;
  iptablesRestore: string;
  inNamespace?: boolean;
}

function single(flags: CalibrateFlags, what: string): { services: number; endpointsPerService: number } {
  if (flags.services.length !== 1 || flags.endpointsPerService.length !== 1) {
    throw new InputError(
      `${what} takes one size: --services N --endpoints-per-service N (got ${flags.services.join(",")} x ${flags.endpointsPerService.join(",")})`,
    );
  }
  return { services: flags.services[0], endpointsPerService: flags.endpointsPerService[0] };
}

/** `bench calibrate kube-proxy`: time kube-proxy's syncs on this kernel and fit the sync-cost model. */
async function calibrateCommand(flags: CalibrateFlags): Promise<void> {
  setIptablesRestore(flags.iptablesRestore);
  if (flags.inNamespace) {
    // inside the throwaway namespace: measure and print one JSON point per line
    for (const mode of flags.mode) {
      for (const services of flags.services) {
        for (const eps of flags.endpointsPerService) process.stdout.write(`${JSON.stringify(measurePoint(mode, services, eps, flags.repeats))}\n`);
      }
    }
    return;
  }
  if (flags.emit) {
    if (flags.mode.length !== 1) throw new InputError("--emit prints one ruleset: choose --mode iptables or --mode nftables");
    const size = single(flags, "--emit");
    process.stdout.write(syncInput(flags.mode[0], syntheticRuleset(size.services, size.endpointsPerService)).text);
    return;
  }
  const why = calibrationUnavailable(flags.mode);
  if (why !== undefined) throw new InputError(`calibrate kube-proxy ${why}`);
  const binPath = join(root, "bench", "bin.mjs");
  if (flags.json) {
    const size = single(flags, "--json");
    const grid = {
      modes: flags.mode,
      iptablesRestore: flags.iptablesRestore,
      services: [size.services],
      endpointsPerService: [size.endpointsPerService],
      repeats: flags.repeats,
    };
    const points = await measureInNamespace(binPath, grid, () => {});
    for (const p of points) {
      const { mode, services, endpoints, rules, fullSyncSeconds, partialSyncSeconds } = p;
      process.stdout.write(`${JSON.stringify({ mode, services, endpoints, rules, fullSyncSeconds, partialSyncSeconds })}\n`);
    }
    return;
  }
  if (flags.services.length * flags.endpointsPerService.length < 3) {
    throw new InputError("a fit needs at least 3 sizes: give --services and --endpoints-per-service lists (e.g. 200,500,1000 and 1,5,10)");
  }
  const total = flags.mode.length * flags.services.length * flags.endpointsPerService.length;
  let done = 0;
  process.stderr.write(`calibrating ${flags.mode.join(" and ")} on ${total} sizes, ${flags.repeats} runs each, in a throwaway network namespace\n`);
  const grid = {
    modes: flags.mode,
    iptablesRestore: flags.iptablesRestore,
    services: flags.services,
    endpointsPerService: flags.endpointsPerService,
    repeats: flags.repeats,
  };
  const points = await measureInNamespace(binPath, grid, (p) => {
    done++;
    process.stderr.write(
      `  [${done}/${total}] ${p.mode} ${p.services} Services x ${p.endpoints / p.services} endpoints: ${p.rules} rules, full ${p.fullSyncSeconds.toFixed(3)} s, partial ${p.partialSyncSeconds.toFixed(3)} s\n`,
    );
  });
  const profile = buildProfile(points, flags.repeats);
  process.stdout.write(residualTable(profile));
  writeReport(flags.out, `${JSON.stringify(profile, null, 2)}\n`);
  process.stdout.write(`wrote ${flags.out}: use it with kubeProxy.costProfile in a scenario\n`);
}

interface GateFlags {
  baseline: string;
  update?: boolean;
  force?: boolean;
  junit?: string;
  markdown?: string;
}

const HINTS: Record<string, string> = {
  baseline: " (create it with --update)",
  shard: " (run bench run --shard i/N --out DIR first)",
};

/** A results.json (of a run, a shard or a baseline), or an input error that says which and how to get it. */
function readResults(file: string, what: "results" | "baseline" | "shard"): Results {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new InputError(`${file}: not found${HINTS[what] ?? ""}`);
    throw new InputError(`cannot read ${what} ${file}: ${code ?? (e as Error).message}`);
  }
  try {
    return fromJson(text);
  } catch (e) {
    throw new InputError(`${file}: ${(e as Error).message}`);
  }
}

function writeGateReports(outcome: ReturnType<typeof gateResults>, flags: GateFlags): void {
  if (flags.junit !== undefined) writeReport(flags.junit, gateJunit(outcome));
  if (flags.markdown !== undefined) writeReport(flags.markdown, gateMarkdown(outcome));
}

/** `bench gate`: exit 1 when a metric regressed against the committed baseline, 0 otherwise. */
function gateCommand(file: string, flags: GateFlags): number {
  const current = readResults(file, "results");
  if (current.shard !== undefined) throw new InputError(`${file} holds one shard of a run: bench merge the shards first`);
  if (existsSync(flags.baseline) && statSync(flags.baseline).isDirectory()) {
    throw new InputError(`--baseline ${flags.baseline}: a directory; give the baseline file, e.g. bench/baselines/ci-smoke.json`);
  }
  if (flags.update) {
    if (resolve(flags.baseline) === resolve(file))
      throw new InputError(`--baseline ${flags.baseline} is the results file itself: give the committed baseline's path`);
    const previous = existsSync(flags.baseline) ? readResults(flags.baseline, "baseline") : undefined;
    if (previous !== undefined && !flags.force) {
      if (previous.scenario !== current.scenario) {
        throw new InputError(
          `--update: ${flags.baseline} is the baseline of scenario ${JSON.stringify(previous.scenario)}, ${file} of ${JSON.stringify(current.scenario)} (--force to replace it anyway)`,
        );
      }
      const now = new Set(current.rows.map((r) => r.variant));
      const dropped = [...new Set(previous.rows.map((r) => r.variant))].filter((v) => !now.has(v));
      if (dropped.length > 0) {
        throw new InputError(
          `--update: ${file} lacks variant(s) the baseline has (${dropped.join("; ")}): a --variant subset would shrink the baseline (--force to replace it anyway)`,
        );
      }
    }
    // the change the update makes, as the gate would report it, for CI's JUnit and Markdown
    if (previous !== undefined && previous.scenario === current.scenario && previous.seed === current.seed) {
      try {
        writeGateReports(gateResults(current, previous), flags);
      } catch {
        // a previous baseline the gate cannot compare with: nothing to report about it
      }
    }
    // rows the gate ignores stay out of the baseline, so its diff shows only what is compared
    const rules = current.gate ?? [];
    const kept = { ...current, rows: current.rows.filter((r) => ruleFor(rules, r.metric).rule !== "ignore") };
    writeReport(flags.baseline, toJson(kept));
    process.stdout.write(`baseline ${flags.baseline} updated from ${file}: review the diff and commit it\n`);
    return 0;
  }
  const baseline = readResults(flags.baseline, "baseline");
  let outcome: ReturnType<typeof gateResults>;
  try {
    outcome = gateResults(current, baseline);
  } catch (e) {
    throw new InputError((e as Error).message);
  }
  writeGateReports(outcome, flags);
  process.stdout.write(gateText(outcome));
  return outcome.failures.length > 0 ? 1 : 0;
}

export function buildProgram(): Command {
  const program = new Command("bench")
    .description("k8s-netscale: a deterministic discrete-event simulator of the Kubernetes network control plane")
    .version(version, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  program
    .command("run")
    .description("run a scenario (every variant, same seed) and write results.csv, results.json, report.html and summary.md")
    .argument("<scenario>", "scenario file, e.g. scenarios/15k-nodes.ts")
    .option("--seed <n>", "override the scenario's seed", parseSeed)
    .option("--out <dir>", "output directory (default: out/<scenario-name>/)")
    .addOption(
      new Option("--format <list>", `comma-separated report formats: ${FORMATS.join(",")}`).default([...FORMATS], FORMATS.join(",")).argParser(parseFormats),
    )
    .option("--variant <pattern>", "run only variants whose label matches (glob with *, else substring; | separates alternatives)")
    .addOption(
      new Option("--threads <n>", "worker threads running variants in parallel (results do not depend on it)")
        .default(availableParallelism(), "number of cores")
        .argParser(parseSmallCount),
    )
    .option("--shard <i/N>", "run only part i of N of the variants (round robin); combine the parts with bench merge", parseShard)
    .option(
      "--seeds <n>",
      "run every variant with n seeds (seed, seed+1, ...): rows per seed, means and 95% intervals in stats.csv and the reports",
      parseSmallCount,
    )
    .option(
      "--sensitivity",
      "also run every variant at each uncertain parameter's low and high value (one at a time, same seed); writes sensitivity.csv and says which verdicts survive",
    )
    .option("--max-variants <n>", "refuse scenarios expanding to more variants than this (default 10000)", parseCount)
    .option("-q, --quiet", "print nothing on success (no progress bar, no summary)")
    .action(runCommand);

  program
    .command("merge")
    .description("combine the results of bench run --shard 1/N ... N/N into the reports of one unsharded run")
    .argument("<dir...>", "the shards' output directories (each holding results.json)")
    .option("--out <dir>", "output directory (default: out/<scenario-name>/)")
    .addOption(
      new Option("--format <list>", `comma-separated report formats: ${FORMATS.join(",")}`).default([...FORMATS], FORMATS.join(",")).argParser(parseFormats),
    )
    .option("-q, --quiet", "print nothing on success")
    .action(mergeCommand);

  program
    .command("sizeof")
    .description("print the protobuf body, etcd-stored and JSON sizes of one object (kubectl get ... -o json output)")
    .argument("<file>", "a JSON file holding one Service, Pod, Endpoints, EndpointSlice, Node, Lease or Event, or - for standard input")
    .action(sizeofCommand);

  program
    .command("reconcile")
    .description("run one packing algorithm on one state and print its API calls as JSON")
    .argument(
      "<case.json>",
      'e.g. {"algorithm":"k8s","maxEndpointsPerSlice":100,"existing":[...],"desired":[...]}, or - for standard input; "algorithm" may be a plugin path (relative to the case file)',
    )
    .action(async (file: string) => {
      const where = file === "-" ? "standard input" : file;
      const raw = await withPluginLoaded(readJsonInput(file), where, file === "-" ? process.cwd() : dirname(resolve(file)));
      process.stdout.write(`${JSON.stringify(runReconcileCase(raw, where))}\n`);
    });

  program
    .command("resolve")
    .description("print, in order, the DNS queries a pod's resolver sends for one lookup of <name>")
    .argument("<name>", "the name as the application passes it to getaddrinfo, e.g. api.example.com")
    .option("--resolv-conf <file>", "the pod's /etc/resolv.conf (default: what kubelet writes under ClusterFirst in namespace default)")
    .addOption(new Option("--resolver <kind>", "the C library's resolver").choices(["glibc", "musl"]).default("glibc"))
    .option("--answers <file>", 'which names exist: {"<fqdn>": ["A", "AAAA"]} (default: only the name as written, with A and AAAA)')
    .action((name: string, flags: { resolvConf?: string; resolver: string; answers?: string }) => {
      let resolvConf: string | undefined;
      if (flags.resolvConf !== undefined) {
        try {
          resolvConf = readFileSync(flags.resolvConf, "utf8");
        } catch (e) {
          throw new InputError(`cannot read ${flags.resolvConf}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
        }
      }
      const answers = flags.answers === undefined ? undefined : answersFrom(readJsonInput(flags.answers), flags.answers);
      const out = resolveLookup(name, { resolvConf, resolver: flags.resolver, answers, where: flags.resolvConf });
      for (const w of out.warnings) process.stderr.write(`warning: ${w}\n`);
      process.stdout.write(`${JSON.stringify(out)}\n`);
    });

  program
    .command("gate")
    .description("compare a run's results.json with a committed baseline under the scenario's gate rules; exit 1 on a regression")
    .argument("<results.json>", "results of bench run (or of bench merge)")
    .requiredOption("--baseline <file>", "the committed baseline, e.g. bench/baselines/ci-smoke.json")
    .option("--update", "rewrite the baseline from these results instead of comparing (review the diff, then commit it)")
    .option("--force", "with --update: replace a baseline of another scenario, or one with variants these results lack")
    .option("--junit <file>", "also write the comparison as JUnit XML")
    .option("--markdown <file>", "also write the comparison as Markdown (for a CI job summary)")
    .action((file: string, flags: GateFlags) => {
      gateExitCode = gateCommand(file, flags);
    });

  program
    .command("compare")
    .description("compare any two runs metric by metric (largest relative change first); exit 0 (bench gate is the gate)")
    .argument("<base>", "a run's directory or its results.json")
    .argument("<new>", "another run's directory or results.json")
    .option("--markdown <file>", "also write the comparison as Markdown")
    .option("--json", "print the comparison as JSON instead of a table")
    .option("--all", "list unchanged metrics too")
    .option("--series", "include time-series and distribution points")
    .action((base: string, current: string, flags: { markdown?: string; json?: boolean; all?: boolean; series?: boolean }) => {
      const file = (p: string): string => (existsSync(p) && statSync(p).isDirectory() ? join(p, "results.json") : p);
      const diffs = compareRuns(readResults(file(base), "results"), readResults(file(current), "results"), { series: flags.series });
      if (flags.markdown !== undefined) writeReport(flags.markdown, compareMarkdown(base, current, diffs));
      process.stdout.write(
        flags.json
          ? `${JSON.stringify(
              diffs.filter((d) => flags.all || d.pct !== 0),
              null,
              2,
            )}\n`
          : compareText(diffs, flags.all ? Number.POSITIVE_INFINITY : 40, flags.all),
      );
    });

  const calibrate = program.command("calibrate").description("measure this machine's costs for the models");
  calibrate
    .command("kube-proxy")
    .description(
      "time kube-proxy's iptables-restore / nft syncs in a throwaway network namespace and fit the sync-cost model (a profile for kubeProxy.costProfile)",
    )
    .addOption(new Option("--mode <mode>", "iptables, nftables or all").default([...CALIBRATED_MODES], "all").argParser(parseModes))
    .addOption(
      new Option("--services <n>", "Services (one port each); a comma-separated list is a grid")
        .default([200, 500, 1000], "200,500,1000")
        .argParser(parseCountList(100_000)),
    )
    .addOption(
      new Option("--endpoints-per-service <n>", "ready endpoints per Service; a list is a grid")
        .default([1, 5, 10], "1,5,10")
        .argParser(parseCountList(10_000)),
    )
    .addOption(new Option("--repeats <n>", "timed runs per size (the median is kept)").default(3).argParser(parseSmallCount))
    .option("--emit", "print the ruleset kube-proxy writes for one size instead of timing it")
    .option("--json", 'time one size and print {"mode","services","endpoints","rules","fullSyncSeconds","partialSyncSeconds"} per mode')
    .option("--out <file>", "where to write the cost profile", "kube-proxy-profile.json")
    .option("--iptables-restore <command>", "the iptables-restore to time (e.g. iptables-legacy-restore)", "iptables-restore")
    .addOption(new Option("--in-namespace").hideHelp())
    .action(calibrateCommand);

  program
    .command("verify-algorithm")
    .description("check a packing algorithm's invariants on random states (a built-in name or a plugin path); exit 1 naming the invariant it breaks")
    .argument("<algorithm>", "a built-in name (e.g. k8s) or the path of a plugin module (e.g. ./my-algo.ts)")
    .addOption(new Option("--runs <n>", "random states to check").default(500).argParser((v) => parseCountList(100_000)(v)[0]))
    .action(async (name: string, flags: { runs: number }) => {
      verifyExitCode = await verifyAlgorithmCommand(name, flags.runs);
    });

  program.command("list").description("list the scenarios in a directory").argument("[dir]", "directory to look in", "scenarios").action(listCommand);

  return program;
}

/** Set by `bench gate`, the one command whose success can still exit 1. */
let gateExitCode = 0;
/** Set by `bench verify-algorithm`: 1 when an invariant breaks. */
let verifyExitCode = 0;

async function verifyAlgorithmCommand(name: string, runs: number): Promise<number> {
  const { algorithm } = await packingAlgorithmFor(name, process.cwd(), "verify-algorithm");
  const report = verifyAlgorithm(algorithm, runs);
  const out = process.stdout;
  out.write(`${algorithm.name}: ${runs} random states (seed 752)\n`);
  if (report.failure !== undefined) {
    out.write(`FAIL: ${report.failure.invariant}\n`);
    out.write(`smallest state found (a bench reconcile case):\n${JSON.stringify(asReconcileCase(name, report.failure.counterexample))}\n`);
    return 1;
  }
  for (const inv of INVARIANTS) out.write(`  ok  ${inv}\n`);
  out.write(
    `  information: the plan equals upstream's reconciler (the k8s algorithm) on ${report.sameAsUpstream} of ${runs} states; differs on ${runs - report.sameAsUpstream}\n`,
  );
  return 0;
}

/** Runs the CLI; returns the process exit code (0 ok, 1 internal error, 2 bad input). */
export async function main(argv: string[]): Promise<number> {
  // a reader that stops early (`bench run ... | head`) is not an error: the reports are written before the summary
  process.stdout.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  const program = buildProgram();
  try {
    gateExitCode = 0;
    verifyExitCode = 0;
    await program.parseAsync(argv);
    return gateExitCode || verifyExitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; usage errors were already printed by commander
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof InputError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    if (e instanceof ReportWriteError || e instanceof RunFailure) {
      process.stderr.write(`error: ${e.message}\n`);
      return 1;
    }
    if (e instanceof Interrupted) {
      process.stderr.write(`${e.message}\n`);
      return 130;
    }
    process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
