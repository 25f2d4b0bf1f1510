import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Results } from "../engine/results.js";
import { toCsv } from "../reports/csv.js";
import { toHtml } from "../reports/html.js";
import { toJson } from "../reports/json.js";
import { toTextSummary } from "../reports/text.js";
import { jsonSize, parseKubeObject, protobufSize, storedSize } from "../models/objects/index.js";
import { InputError, loadScenarioFile } from "./load.js";
import { slug, writeReports } from "./output.js";
import { Progress } from "./progress.js";
import { runReconcileCase } from "./reconcile.js";
import { answersFrom, resolve as resolveLookup } from "./resolve.js";
import { runScenario, type VariantOutcome } from "./runner.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;

const FORMATS = ["csv", "json", "html"] as const;
type Format = (typeof FORMATS)[number];
const FILE_OF: Record<Format, string> = { csv: "results.csv", json: "results.json", html: "report.html" };

function parseSeed(v: string): number {
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n > 2 ** 31 - 1) throw new InvalidArgumentError("must be an integer in 0..2147483647");
  return n;
}

function parseFormats(v: string): Format[] {
  const list = v.split(",").map((s) => s.trim()).filter(Boolean);
  const bad = list.filter((f) => !(FORMATS as readonly string[]).includes(f));
  if (bad.length > 0 || list.length === 0) throw new InvalidArgumentError(`must be a comma-separated list of ${FORMATS.join(", ")} (got ${JSON.stringify(v)})`);
  return [...new Set(list)] as Format[];
}

interface RunFlags {
  seed?: number;
  out?: string;
  format: Format[];
  variant?: string;
  quiet?: boolean;
}

async function runCommand(file: string, flags: RunFlags): Promise<void> {
  const loaded = await loadScenarioFile(file);
  const progress = new Progress(!flags.quiet && process.stderr.isTTY === true);
  const outcomes: VariantOutcome[] = [];
  let results: Results;
  try {
    results = runScenario(loaded, {
      seed: flags.seed,
      variantPattern: flags.variant,
      onProgress: (i, n, label, f) => progress.update((i + Math.min(1, f)) / n, label),
      onVariantDone: (o, i, n) => {
        outcomes.push(o);
        progress.update((i + 1) / n, o.label);
      },
    });
  } finally {
    progress.stop();
  }
  const dir = flags.out ?? join("out", slug(loaded.base.name));
  const files: Record<string, string> = {};
  for (const f of flags.format) {
    files[FILE_OF[f]] = f === "csv" ? toCsv(results) : f === "json" ? toJson(results) : toHtml(results);
  }
  const written = writeReports(dir, files);
  if (flags.quiet) return;
  process.stdout.write(toTextSummary(results));
  process.stdout.write("\n");
  for (const o of outcomes) {
    const rate = o.wallSeconds > 0 ? Math.round(o.events / o.wallSeconds) : 0;
    process.stdout.write(`variant ${o.label}: ${o.events} events in ${o.wallSeconds.toFixed(2)} s wall (${rate} events/s)\n`);
  }
  process.stdout.write(`wrote ${written.map((w) => relative(process.cwd(), w) || w).join(", ")}\n`);
}

async function listCommand(dir: string): Promise<void> {
  const abs = resolve(dir);
  let files: string[];
  try {
    files = readdirSync(abs).filter((f) => /\.(ts|mts|js|mjs)$/.test(f) && !/\.test\./.test(f)).sort();
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
      rows.push([path, "(invalid)", "-", e instanceof Error ? e.message.split("\n")[0] : String(e)]);
    }
  }
  const header = ["file", "name", "variants", "description"];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  for (const r of [header, ...rows]) process.stdout.write(r.map((c, i) => (i === 3 ? c : c.padEnd(widths[i]))).join("  ").trimEnd() + "\n");
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
  let parsed;
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
  process.stdout.write(JSON.stringify(out) + "\n");
}

export function buildProgram(): Command {
  const program = new Command("bench")
    .description("k8s-netscale: a deterministic discrete-event simulator of the Kubernetes network control plane")
    .version(version, "-V, --version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  program
    .command("run")
    .description("run a scenario (every variant, same seed) and write results.csv, results.json and report.html")
    .argument("<scenario>", "scenario file, e.g. scenarios/15k-nodes.ts")
    .option("--seed <n>", "override the scenario's seed", parseSeed)
    .option("--out <dir>", "output directory (default: out/<scenario-name>/)")
    .addOption(new Option("--format <list>", `comma-separated report formats: ${FORMATS.join(",")}`).default([...FORMATS], FORMATS.join(",")).argParser(parseFormats))
    .option("--variant <pattern>", "run only variants whose label matches (glob with *, else substring; | separates alternatives)")
    .option("-q, --quiet", "print nothing on success (no progress bar, no summary)")
    .action(runCommand);

  program
    .command("sizeof")
    .description("print the protobuf body, etcd-stored and JSON sizes of one object (kubectl get ... -o json output)")
    .argument("<file>", "a JSON file holding one Service, Pod, Endpoints or EndpointSlice, or - for standard input")
    .action(sizeofCommand);

  program
    .command("reconcile")
    .description("run one packing algorithm on one state and print its API calls as JSON")
    .argument("<case.json>", 'e.g. {"algorithm":"k8s","maxEndpointsPerSlice":100,"existing":[...],"desired":[...]}, or - for standard input')
    .action((file: string) => {
      const out = runReconcileCase(readJsonInput(file), file === "-" ? "standard input" : file);
      process.stdout.write(JSON.stringify(out) + "\n");
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
      process.stdout.write(JSON.stringify(out) + "\n");
    });

  program
    .command("list")
    .description("list the scenarios in a directory")
    .argument("[dir]", "directory to look in", "scenarios")
    .action(listCommand);

  return program;
}

/** Runs the CLI; returns the process exit code (0 ok, 1 internal error, 2 bad input). */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and version exit 0; usage errors were already printed by commander
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof InputError) {
      process.stderr.write(`error: ${e.message}\n`);
      return 2;
    }
    process.stderr.write(`internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  }
}
