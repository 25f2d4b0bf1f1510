/**
 * `bench calibrate kube-proxy`: programs the rules kube-proxy writes (models/proxy-rules) into this machine's kernel,
 * in a throwaway network namespace, times full and partial syncs over a grid of sizes, and fits the sync-cost model
 * (models/kube-proxy.ts: base + per Service port + per endpoint) to them: a cost profile JSON a scenario takes with
 * `kubeProxy.costProfile`.
 *
 * A sync is timed as kube-proxy runs it: one `iptables-restore -w 5 --noflush --counters` (pkg/util/iptables,
 * RestoreAll) or one `nft -f -` (sigs.k8s.io/knftables Run) of the whole transaction, process start to exit. A full
 * sync is timed on a namespace that already holds the same rules (the hourly resync); a partial sync changes the
 * endpoints of one Service. Each figure is the median of `repeats` runs.
 */
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { cpus, release, totalmem } from "node:os";
import { iptablesRestoreInput } from "../models/proxy-rules/iptables.js";
import { nftInput } from "../models/proxy-rules/nftables.js";
import type { ProxyRuleset, ProxyServicePort } from "../models/proxy-rules/types.js";
import type { SyncCostModel } from "../models/kube-proxy.js";
import { InputError } from "./load.js";

export const CALIBRATED_MODES = ["iptables", "nftables"] as const;
export type CalibratedMode = (typeof CALIBRATED_MODES)[number];

/** One size measured: the fields `--json` prints, plus what the fit needs. */
export interface SyncPoint {
  mode: CalibratedMode;
  services: number;
  endpoints: number;
  rules: number;
  fullSyncSeconds: number;
  partialSyncSeconds: number;
}

export interface FittedCost extends SyncCostModel {
  /** Per point, measured - fitted, seconds. */
  residualsSeconds: number[];
  /** Root mean square of the residuals relative to the measured times. */
  rmsRelativeError: number;
}

export interface CostProfile {
  kind: "kube-proxy-cost-profile";
  version: 1;
  measuredAt: string;
  machine: { cpu: string; cores: number; memoryBytes: number; kernel: string };
  tools: Partial<Record<CalibratedMode, string>>;
  repeats: number;
  /** Per mode: the fitted constants (µs; per Service port and per endpoint) for full and partial syncs. */
  modes: Partial<Record<CalibratedMode, { full: FittedCost; partial: FittedCost }>>;
  points: SyncPoint[];
}

/**
 * A node's rules for `services` ClusterIP Services of one TCP port with `endpointsPerService` ready endpoints each,
 * none on this node, in 100 namespaces: the shape of ClusterLoader2's Services.
 */
export function syntheticRuleset(services: number, endpointsPerService: number): ProxyRuleset {
  const list: ProxyServicePort[] = [];
  for (let s = 0; s < services; s++) {
    const endpoints = [];
    for (let e = 0; e < endpointsPerService; e++) {
      const ip = s * endpointsPerService + e + 1;
      endpoints.push({ ip: `10.${(ip >> 16) & 255}.${(ip >> 8) & 255}.${ip & 255}`, port: 8080, ready: true, serving: true, terminating: false, local: false });
    }
    const ipIndex = s + 1;
    list.push({
      namespace: `ns-${s % 100}`,
      name: `svc-${s}`,
      portName: "http",
      protocol: "TCP",
      clusterIP: `172.${16 + ((ipIndex >> 16) & 15)}.${(ipIndex >> 8) & 255}.${ipIndex & 255}`,
      port: 80,
      endpoints,
    });
  }
  return { nodeIP: "192.168.0.2", clusterCIDR: "10.0.0.0/8", services: list };
}

/** The same Services with the first one's endpoints moved (a rollout step): what a partial sync programs. */
function withChangedService(r: ProxyRuleset): { ruleset: ProxyRuleset; changed: Set<string> } {
  if (r.services.length === 0) return { ruleset: r, changed: new Set() };
  const first = r.services[0];
  const moved = { ...first, endpoints: first.endpoints.map((e) => ({ ...e, ip: e.ip.replace(/^10\./, "11.") })) };
  return { ruleset: { ...r, services: [moved, ...r.services.slice(1)] }, changed: new Set([`${first.namespace}/${first.name}:${first.portName}`]) };
}

/** The input of one sync as text, and the rules it programs. `--emit` prints a full sync's. */
export function syncInput(mode: CalibratedMode, ruleset: ProxyRuleset): { text: string; rules: number } {
  if (mode === "iptables") {
    // a fresh namespace has no nfacct counters, so the rules must not match on them
    const out = iptablesRestoreInput(ruleset, { config: { nfacct: false } });
    return { text: out.text, rules: out.rules };
  }
  const out = nftInput(ruleset);
  return { text: out.text, rules: out.rules };
}

/**
 * The inputs a node writes for `ruleset`: its first (full) sync, the hourly full resync of the same state, and two
 * partial syncs that move one Service's endpoints away and back (each from the state the other left, stale chains
 * deleted as kube-proxy deletes them).
 */
function syncSequence(mode: CalibratedMode, ruleset: ProxyRuleset): { first: string; resync: string; partials: [string, string]; rules: number } {
  const { ruleset: moved, changed } = withChangedService(ruleset);
  if (mode === "iptables") {
    const config = { nfacct: false };
    const first = iptablesRestoreInput(ruleset, { config });
    const resync = iptablesRestoreInput(ruleset, { config, existingNatChains: first.activeNatChains });
    const away = iptablesRestoreInput(moved, { config, changedServices: changed, existingNatChains: first.activeNatChains });
    const back = iptablesRestoreInput(ruleset, { config, changedServices: changed, existingNatChains: away.activeNatChains });
    return { first: first.text, resync: resync.text, partials: [away.text, back.text], rules: first.rules };
  }
  const first = nftInput(ruleset);
  const resync = nftInput(ruleset, { previous: ruleset, firstSync: false });
  const away = nftInput(moved, { changedServices: changed, previous: ruleset });
  const back = nftInput(ruleset, { changedServices: changed, previous: moved, existingStaleChains: away.staleChains });
  return { first: first.text, resync: resync.text, partials: [away.text, back.text], rules: first.rules };
}

/**
 * Fits t = base + perService * S + perEndpoint * E to the points by least squares on the relative error (weights
 * 1/t^2, so small and large sizes count alike), with no negative constant: when the unconstrained fit has one, the
 * best fit over the subsets of the three terms with none negative is kept. Constants in µs.
 */
export function fitSyncCost(points: readonly { services: number; endpoints: number; seconds: number }[]): FittedCost {
  let best: { b: number[]; sse: number } | undefined;
  for (const terms of [[0, 1, 2], [0, 1], [0, 2], [1, 2], [0], [1], [2]]) {
    const b = weightedFit(points, terms);
    if (b === undefined || b.some((x) => x < 0)) continue;
    const sse = points.reduce((sum, p) => sum + ((p.seconds - predict(b, p)) / p.seconds) ** 2, 0);
    if (best === undefined || sse < best.sse - 1e-15) best = { b, sse };
    if (terms.length === 3) break; // the full model fits without a negative term: keep it
  }
  if (best === undefined) throw new InputError("cannot fit the sync times: vary both --services and --endpoints-per-service");
  const b = best.b;
  const residualsSeconds = points.map((p) => p.seconds - predict(b, p));
  const rel = points.map((p, i) => residualsSeconds[i] / p.seconds);
  const rmsRelativeError = Math.sqrt(rel.reduce((s, r) => s + r * r, 0) / Math.max(1, rel.length));
  return { base: b[0] * 1e6, perService: b[1] * 1e6, perEndpoint: b[2] * 1e6, residualsSeconds, rmsRelativeError };
}

function predict(b: number[], p: { services: number; endpoints: number }): number {
  return b[0] + b[1] * p.services + b[2] * p.endpoints;
}

/** Weighted least squares on the given terms (0: constant, 1: Services, 2: endpoints); the others are 0. */
function weightedFit(points: readonly { services: number; endpoints: number; seconds: number }[], terms: number[]): number[] | undefined {
  const k = terms.length;
  const m = Array.from({ length: k }, () => new Array<number>(k + 1).fill(0));
  for (const p of points) {
    if (!(p.seconds > 0)) continue;
    const w = 1 / (p.seconds * p.seconds);
    const all = [1, p.services, p.endpoints];
    const x = terms.map((t) => all[t]);
    for (let i = 0; i < k; i++) {
      m[i][k] += w * x[i] * p.seconds;
      for (let j = 0; j < k; j++) m[i][j] += w * x[i] * x[j];
    }
  }
  const solved = solve(m);
  if (solved === undefined) return undefined;
  const b = [0, 0, 0];
  terms.forEach((t, i) => {
    b[t] = solved[i];
  });
  return b;
}

/** Gauss-Jordan elimination of an augmented k x (k+1) matrix; undefined when singular. */
function solve(m: number[][]): number[] | undefined {
  const k = m.length;
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(m[r][c]) > Math.abs(m[pivot][c])) pivot = r;
    if (Math.abs(m[pivot][c]) < 1e-300) return undefined;
    [m[c], m[pivot]] = [m[pivot], m[c]];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = m[r][c] / m[c][c];
      for (let j = c; j <= k; j++) m[r][j] -= f * m[c][j];
    }
  }
  return m.map((row, i) => row[k] / row[i]);
}

// ---- running the tools ----

const TOOL: Record<CalibratedMode, { command: string; apt: string }> = {
  iptables: { command: "iptables-restore", apt: "iptables" },
  nftables: { command: "nft", apt: "nftables" },
};

/**
 * The iptables-restore to time: the distribution's default (Debian: the nf_tables backend, as iptables-wrapper picks
 * on a host without legacy rules) or another, e.g. iptables-legacy-restore.
 */
export function setIptablesRestore(command: string): void {
  TOOL.iptables.command = command;
}

function toolVersion(mode: CalibratedMode): string | undefined {
  const r = spawnSync(TOOL[mode].command, ["--version"], { encoding: "utf8" });
  if (r.error !== undefined || r.status !== 0) return undefined;
  return (r.stdout + r.stderr).trim().split("\n")[0];
}

/**
 * How to enter a private network namespace: root needs only `unshare -n`; others a user namespace too (`-rn`), in
 * which iptables-nft cannot enlarge its netlink buffer, so only small rulesets load.
 */
function unshareFlag(): string {
  return process.getuid?.() === 0 ? "-n" : "-rn";
}

/** Why calibration cannot run here, or undefined when it can. */
export function calibrationUnavailable(modes: readonly CalibratedMode[]): string | undefined {
  const u = spawnSync("unshare", [unshareFlag(), "true"], { encoding: "utf8" });
  if (u.error !== undefined) return "needs unshare (util-linux) to create a throwaway network namespace";
  if (u.status !== 0) {
    return `cannot create a network namespace (unshare ${unshareFlag()}: ${u.stderr.trim() || `exit ${u.status}`}); run as root or allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1)`;
  }
  for (const m of modes) {
    if (toolVersion(m) === undefined) return `needs ${TOOL[m].command} for --mode ${m} (Debian: apt-get install ${TOOL[m].apt})`;
  }
  return undefined;
}

/** Runs the tool once with `input`; returns its wall time in seconds (process start to exit, as kube-proxy waits). */
function timeTool(mode: CalibratedMode, input: string): number {
  const args = mode === "iptables" ? ["-w", "5", "--noflush", "--counters"] : ["-f", "-"];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(TOOL[mode].command, args, { input, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.error !== undefined || r.status !== 0) {
    const msg = (r.stderr || r.error?.message || `exit ${r.status}`).trim().split("\n").slice(0, 3).join(" ");
    throw new Error(`${TOOL[mode].command} failed: ${msg}`);
  }
  return seconds;
}

/** Empties the namespace's kube-proxy tables. */
function reset(mode: CalibratedMode): void {
  if (mode === "iptables") {
    spawnSync(TOOL.iptables.command, [], { input: "*filter\nCOMMIT\n*nat\nCOMMIT\n" });
  } else {
    spawnSync("nft", ["flush", "ruleset"]);
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Measures one size. Must run inside the throwaway namespace (see `measureInNamespace`). */
export function measurePoint(mode: CalibratedMode, services: number, endpointsPerService: number, repeats: number): SyncPoint {
  reset(mode);
  const seq = syncSequence(mode, syntheticRuleset(services, endpointsPerService));
  timeTool(mode, seq.first);
  const fullTimes: number[] = [];
  for (let i = 0; i < repeats; i++) fullTimes.push(timeTool(mode, seq.resync));
  // an even number of partial syncs, away and back, so the kernel ends where a resync expects it
  const partialTimes: number[] = [];
  for (let i = 0; i < 2 * repeats; i++) partialTimes.push(timeTool(mode, seq.partials[i % 2]));
  reset(mode);
  return {
    mode,
    services,
    endpoints: services * endpointsPerService,
    rules: seq.rules,
    fullSyncSeconds: median(fullTimes),
    partialSyncSeconds: median(partialTimes),
  };
}

export interface GridRequest {
  modes: CalibratedMode[];
  iptablesRestore: string;
  services: number[];
  endpointsPerService: number[];
  repeats: number;
}

/**
 * Runs the grid in a throwaway network namespace: this CLI again under `unshare`, printing one JSON point per line.
 * `onPoint` sees each as it comes (progress).
 */
export function measureInNamespace(binPath: string, grid: GridRequest, onPoint: (p: SyncPoint) => void): Promise<SyncPoint[]> {
  const args = [
    unshareFlag(),
    process.execPath,
    binPath,
    "calibrate",
    "kube-proxy",
    "--in-namespace",
    "--mode",
    grid.modes.join(","),
    "--services",
    grid.services.join(","),
    "--endpoints-per-service",
    grid.endpointsPerService.join(","),
    "--repeats",
    String(grid.repeats),
    "--iptables-restore",
    grid.iptablesRestore,
  ];
  return new Promise((done, fail) => {
    const child = spawn("unshare", args, { stdio: ["ignore", "pipe", "pipe"] });
    const points: SyncPoint[] = [];
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    createInterface({ input: child.stdout }).on("line", (line) => {
      if (line.trim() === "") return;
      const p = JSON.parse(line) as SyncPoint;
      points.push(p);
      onPoint(p);
    });
    child.on("error", (e) => fail(new InputError(`cannot run unshare: ${e.message}`)));
    child.on("close", (code) => {
      if (code === 0) return done(points);
      const msg = stderr.trim() || `exit ${code}`;
      if (/Message too long/.test(msg))
        fail(new InputError(`${msg}\nrulesets this large need root: without it, unshare -rn leaves iptables-nft a netlink buffer too small`));
      else fail(new InputError(`calibration failed in the network namespace: ${msg}`));
    });
  });
}

/** The profile from measured points: one fit per mode and sync kind. */
export function buildProfile(points: SyncPoint[], repeats: number): CostProfile {
  const modes: CostProfile["modes"] = {};
  const tools: CostProfile["tools"] = {};
  for (const mode of CALIBRATED_MODES) {
    const mine = points.filter((p) => p.mode === mode);
    if (mine.length === 0) continue;
    tools[mode] = toolVersion(mode);
    modes[mode] = {
      full: fitSyncCost(mine.map((p) => ({ services: p.services, endpoints: p.endpoints, seconds: p.fullSyncSeconds }))),
      partial: fitSyncCost(mine.map((p) => ({ services: p.services, endpoints: p.endpoints, seconds: p.partialSyncSeconds }))),
    };
  }
  const cpu = cpus();
  return {
    kind: "kube-proxy-cost-profile",
    version: 1,
    measuredAt: new Date().toISOString(),
    machine: { cpu: cpu[0]?.model ?? "unknown", cores: cpu.length, memoryBytes: totalmem(), kernel: release() },
    tools,
    repeats,
    modes,
    points,
  };
}

/** The fit's table: each point measured, fitted and the residual, per mode and sync kind. */
export function residualTable(profile: CostProfile): string {
  const lines: string[] = [];
  for (const mode of CALIBRATED_MODES) {
    const fit = profile.modes[mode];
    if (fit === undefined) continue;
    const pts = profile.points.filter((p) => p.mode === mode);
    for (const kind of ["full", "partial"] as const) {
      const f = fit[kind];
      lines.push(
        `${mode} ${kind} sync = ${(f.base / 1000).toFixed(2)} ms + ${f.perService.toFixed(2)} µs/Service + ${f.perEndpoint.toFixed(2)} µs/endpoint` +
          `  (rms relative residual ${(100 * f.rmsRelativeError).toFixed(1)}%)`,
      );
      lines.push(`  ${"services".padStart(9)} ${"endpoints".padStart(10)} ${"measured s".padStart(11)} ${"fitted s".padStart(10)} ${"residual".padStart(9)}`);
      pts.forEach((p, i) => {
        const measured = kind === "full" ? p.fullSyncSeconds : p.partialSyncSeconds;
        const fitted = measured - f.residualsSeconds[i];
        const pct = measured > 0 ? (100 * f.residualsSeconds[i]) / measured : 0;
        lines.push(
          `  ${String(p.services).padStart(9)} ${String(p.endpoints).padStart(10)} ${measured.toFixed(4).padStart(11)} ${fitted.toFixed(4).padStart(10)} ${(`${pct.toFixed(1)}%`).padStart(9)}`,
        );
      });
    }
  }
  return `${lines.join("\n")}\n`;
}
