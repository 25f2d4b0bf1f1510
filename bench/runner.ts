import { createHash } from "node:crypto";
import { TOOL } from "./tool.js";
import { Metrics } from "../engine/metrics.js";
import { RandomStreams } from "../engine/random.js";
import type { Assumption, ResultRow, Results } from "../reports/results.js";
import type { MetricValue } from "../engine/metrics.js";
import { Simulation } from "../engine/simulation.js";
import { runPhold } from "../models/phold.js";
import { type NetworkConfig, resolveNetworkConfig } from "../models/network/config.js";
import { networkParts, runControlPlane, runDns } from "../models/network/model.js";
import type { ProxyCost, ProxyMode } from "../models/kube-proxy.js";
import { costProfileFor } from "./profiles.js";
import { networkAssumptions } from "../models/network/assumptions.js";
import type { ModelContext } from "../models/context.js";
import { catalogOrder } from "../models/metrics.js";
import type { LoadedScenario, PlannedVariant } from "./load.js";
import type { NetworkScenario, Scenario } from "./schema.js";
import { matchesVariant } from "./variants.js";
import { InputError } from "./load.js";

export interface VariantOutcome {
  label: string;
  part: RunPart;
  metrics: MetricValue[];
  /** Simulation events processed: for the progress line and speed figures, never written to results. */
  events: number;
  wallSeconds: number;
}

export interface RunOptions {
  seed?: number;
  /** --variant pattern: glob with `*`, else substring; `|` separates alternatives. */
  variantPattern?: string;
  /** --shard i/N: run only the i-th (1-based) of N deterministic parts of the selected variants. */
  shard?: { index: number; count: number };
  onProgress?: (done: number, total: number, label: string, fraction: number) => void;
  onVariantDone?: (outcome: VariantOutcome, index: number, total: number) => void;
}

/** The variants a run selects, in declaration order. */
export function selectVariants(loaded: LoadedScenario, pattern: string | undefined): PlannedVariant[] {
  if (pattern === undefined) return loaded.variants;
  const picked = loaded.variants.filter((v) => matchesVariant(v.label, pattern));
  if (picked.length === 0) {
    throw new InputError(`--variant ${JSON.stringify(pattern)} matches none of: ${loaded.variants.map((v) => v.label).join(", ")}`);
  }
  return picked;
}

/** What one run (or one shard of it) executes, and what its results say about the whole run. */
export interface RunPlan {
  scenario: string;
  seed: number;
  /** Variants this process runs, in run order. */
  variants: PlannedVariant[];
  /** Every selected variant (the whole run when sharded). */
  all: PlannedVariant[];
  shard?: { index: number; count: number };
}

export function planRun(loaded: LoadedScenario, options: Pick<RunOptions, "seed" | "variantPattern" | "shard"> = {}): RunPlan {
  const all = selectVariants(loaded, options.variantPattern);
  const shard = options.shard;
  // round robin: shard i of N takes variants i-1, i-1+N, ... so heavy neighbours in a matrix spread across shards
  const variants = shard === undefined ? all : all.filter((_, k) => k % shard.count === shard.index - 1);
  return { scenario: loaded.base.name, seed: options.seed ?? loaded.base.seed, variants, all, shard };
}

/** A part of a variant's model run on its own (network: the control plane and the DNS traffic). */
export type RunPart = "whole" | "control-plane" | "dns";

/** One simulation to run: a part of the first variant whose scenario needs it. */
export interface PartRun {
  label: string;
  scenario: Scenario;
  part: RunPart;
  seed: number;
}

/**
 * The plan's distinct runs. A network variant is two parts (network/model.ts): variants whose parts read the same
 * configuration share that part's run (a DNS placement variant's control plane is the k8s/100 run's when its DNS
 * servers watch the API alike; every packing variant's DNS traffic is one run), since a part is a pure function of
 * what it reads and the seed. `partsOf[i]` lists the runs whose metrics, in order, are variant i's.
 */
export function distinctRuns(plan: RunPlan): { runs: PartRun[]; partsOf: number[][] } {
  const { runs, partsOf } = distinctRunsOf([plan]);
  return { runs, partsOf: partsOf[0] };
}

/** distinctRuns over several plans at once (a study's base and perturbed runs): a part shared by any two runs once. */
export function distinctRunsOf(plans: RunPlan[]): { runs: PartRun[]; partsOf: number[][][] } {
  const byKey = new Map<string, number>();
  const runs: PartRun[] = [];
  const use = (v: PlannedVariant, part: RunPart, key: string, seed: number): number => {
    const k = `${part}\n${seed}\n${key}`;
    let i = byKey.get(k);
    if (i === undefined) {
      i = runs.length;
      byKey.set(k, i);
      runs.push({ label: v.label, scenario: v.scenario, part, seed });
    }
    return i;
  };
  // the plans of several seeds share their variants: each variant's keys are computed once
  const keyCache = new Map<PlannedVariant, ReturnType<typeof networkParts> | undefined>();
  const keysOf = (v: PlannedVariant): ReturnType<typeof networkParts> | undefined => {
    if (!keyCache.has(v)) keyCache.set(v, v.scenario.model === "network" ? networkParts(networkConfig(v.scenario)) : undefined);
    return keyCache.get(v);
  };
  // control planes first: the DNS parts are short and fill the threads' last gaps
  const controlPlanes = plans.map((plan) =>
    plan.variants.map((v) => {
      const k = keysOf(v);
      return k === undefined ? use(v, "whole", JSON.stringify(v.scenario), plan.seed) : use(v, "control-plane", k.controlPlane, plan.seed);
    }),
  );
  const partsOf = plans.map((plan, p) =>
    plan.variants.map((v, i) => {
      const k = keysOf(v);
      return k === undefined ? [controlPlanes[p][i]] : [controlPlanes[p][i], use(v, "dns", k.dns, plan.seed)];
    }),
  );
  return { runs, partsOf };
}

/** The results of a plan from each variant's metrics (same order as plan.variants): identical however they were run. */
export function assembleResults(loaded: LoadedScenario, plan: RunPlan, metricsByVariant: MetricValue[][]): Results {
  const rows: ResultRow[] = [];
  plan.variants.forEach((v, i) => {
    for (const m of catalogOrder(metricsByVariant[i]))
      rows.push({ scenario: plan.scenario, variant: v.label, seed: plan.seed, metric: m.metric, unit: m.unit, value: m.value });
  });
  return {
    scenario: plan.scenario,
    seed: plan.seed,
    variants: plan.variants.map((v) => v.label),
    // over every variant of the run, so merged shards state the same assumptions as one unsharded run
    assumptions: assumptionsOf(plan.all),
    rank: loaded.base.rank,
    ...selectedFamilies(loaded, plan),
    gate: loaded.base.gate,
    ...(plan.shard === undefined
      ? {}
      : { shard: { ...plan.shard, variants: plan.all.map((v) => v.label), planSha256: planHash(plan), tool: `${TOOL.name} ${TOOL.version}` } }),
    rows,
  };
}

/** A hash of everything a run's results depend on besides the code: every selected variant's validated scenario and the seed. */
export function planHash(plan: RunPlan): string {
  return createHash("sha256")
    .update(JSON.stringify({ seed: plan.seed, variants: plan.all.map((v) => [v.label, v.scenario]) }))
    .digest("hex");
}

/** The families, restricted to the variants the run selected (a family left with none is dropped). */
function selectedFamilies(loaded: LoadedScenario, plan: RunPlan): Pick<Results, "families"> {
  const selected = new Set(plan.all.map((v) => v.label));
  const families = loaded.families
    .map((f) => ({ ...f, variants: f.variants.filter((v) => selected.has(v)) }))
    .filter((f) => f.variants.length > 0)
    .map((f) => (selected.has(f.reference) ? f : { ...f, reference: f.variants[0] }));
  return families.length === 0 ? {} : { families };
}

/** Runs one part of one variant of a validated scenario: a pure function of (scenario, part, seed). */
export function runVariant(
  scenario: Scenario,
  seed: number,
  progress: (fraction: number) => void = () => {},
  part: RunPart = "whole",
): { metrics: MetricValue[]; events: number } {
  const sim = new Simulation(4096);
  const metrics = new Metrics();
  const ctx: ModelContext = { sim, rng: new RandomStreams(seed), metrics, progress };
  switch (scenario.model) {
    case "phold":
      runPhold({ ...scenario.phold, until: scenario.duration }, ctx);
      break;
    case "network": {
      const config = networkConfig(scenario);
      if (part !== "dns") runControlPlane(config, ctx);
      if (part === "whole") {
        const dns = runVariant(scenario, seed, progress, "dns");
        return { metrics: [...metrics.export(), ...dns.metrics], events: sim.eventsProcessed + dns.events };
      }
      if (part === "dns") runDns(config, ctx);
      break;
    }
  }
  return { metrics: metrics.export(), events: sim.eventsProcessed };
}

/** Runs a plan's variants one after another in this thread. */
export function runScenario(loaded: LoadedScenario, options: RunOptions = {}): Results {
  const plan = planRun(loaded, options);
  const { runs, partsOf } = distinctRuns(plan);
  const total = runs.length;
  const metricsByRun = runs.map((run, i) => {
    const t0 = process.hrtime.bigint();
    const onFraction = (f: number): void => options.onProgress?.(i, total, run.label, f);
    const { metrics, events } = runVariant(run.scenario, run.seed, onFraction, run.part);
    const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    options.onVariantDone?.({ label: run.label, part: run.part, metrics, events, wallSeconds }, i, total);
    return metrics;
  });
  return assembleResults(
    loaded,
    plan,
    partsOf.map((parts) => parts.flatMap((i) => metricsByRun[i])),
  );
}

/** The sync cost a run prices kube-proxy's syncs at (paths were checked when the scenario loaded). */
function syncCost(file: string | undefined, mode: ProxyMode): { cost: ProxyCost; costSource: string } {
  const { cost, source } = costProfileFor(file, mode);
  return { cost, costSource: source };
}

/** The network model's configuration from a validated scenario. */
export function networkConfig(s: NetworkScenario): NetworkConfig {
  return resolveNetworkConfig(s, syncCost(s.kubeProxy.costProfile, s.kubeProxy.mode));
}

/** The scenario's declared assumptions, then the model's own (with the values of the first variant using each). */
function assumptionsOf(variants: PlannedVariant[]): Assumption[] {
  const out: Assumption[] = [];
  const seen = new Set<string>();
  const add = (a: Assumption): void => {
    const key = `${a.name}=${a.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(a);
  };
  for (const v of variants) v.scenario.assumptions.forEach(add);
  for (const v of variants) if (v.scenario.model === "network") networkAssumptions(networkConfig(v.scenario)).forEach(add);
  return out;
}
