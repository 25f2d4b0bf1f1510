import { Metrics } from "../engine/metrics.js";
import { RandomStreams } from "../engine/random.js";
import type { Assumption, MetricValue, ResultRow, Results } from "../engine/results.js";
import { Simulation } from "../engine/simulation.js";
import { runPhold } from "../models/phold.js";
import { linearReplicas, uniformCluster } from "../models/dns/autoscaler.js";
import type { NetworkConfig } from "../models/network/config.js";
import { runNetwork } from "../models/network/model.js";
import { networkAssumptions } from "../models/network/assumptions.js";
import type { ModelContext } from "../models/context.js";
import type { LoadedScenario, PlannedVariant } from "./load.js";
import type { NetworkScenario, Scenario } from "./schema.js";
import { matchesVariant } from "./variants.js";
import { InputError } from "./load.js";

export interface VariantOutcome {
  label: string;
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

/**
 * The plan's distinct runs: variants whose validated scenarios are identical (e.g. a DNS placement variant that sets
 * the defaults an algorithm variant runs with) run once, since a run is a pure function of (scenario, seed).
 * `runOf[i]` is the run that gives variant i its metrics.
 */
export function distinctRuns(plan: RunPlan): { runs: RunPlan; runOf: number[] } {
  const byScenario = new Map<string, number>();
  const unique: PlannedVariant[] = [];
  const runOf = plan.variants.map((v) => {
    const key = JSON.stringify(v.scenario);
    let i = byScenario.get(key);
    if (i === undefined) {
      i = unique.length;
      byScenario.set(key, i);
      unique.push(v);
    }
    return i;
  });
  return { runs: { ...plan, variants: unique }, runOf };
}

/** The results of a plan from each variant's metrics (same order as plan.variants): identical however they were run. */
export function assembleResults(loaded: LoadedScenario, plan: RunPlan, metricsByVariant: MetricValue[][]): Results {
  const rows: ResultRow[] = [];
  plan.variants.forEach((v, i) => {
    for (const m of metricsByVariant[i]) rows.push({ scenario: plan.scenario, variant: v.label, seed: plan.seed, metric: m.metric, unit: m.unit, value: m.value });
  });
  return {
    scenario: plan.scenario,
    seed: plan.seed,
    variants: plan.variants.map((v) => v.label),
    // over every variant of the run, so merged shards state the same assumptions as one unsharded run
    assumptions: assumptionsOf(plan.all),
    rank: loaded.base.rank,
    gate: loaded.base.gate,
    ...(plan.shard === undefined ? {} : { shard: { ...plan.shard, variants: plan.all.map((v) => v.label) } }),
    rows,
  };
}

/** Runs one variant of a validated scenario: a pure function of (scenario, seed). */
export function runVariant(scenario: Scenario, seed: number, progress: (fraction: number) => void = () => {}): { metrics: MetricValue[]; events: number } {
  const sim = new Simulation(4096);
  const metrics = new Metrics();
  const ctx: ModelContext = { sim, rng: new RandomStreams(seed), metrics, progress };
  switch (scenario.model) {
    case "phold":
      runPhold({ ...scenario.phold, until: scenario.duration }, ctx);
      break;
    case "network":
      runNetwork(networkConfig(scenario), ctx);
      break;
  }
  return { metrics: metrics.export(), events: sim.eventsProcessed };
}

/** Runs a plan's variants one after another in this thread. */
export function runScenario(loaded: LoadedScenario, options: RunOptions = {}): Results {
  const plan = planRun(loaded, options);
  const { runs, runOf } = distinctRuns(plan);
  const total = runs.variants.length;
  const metricsByRun = runs.variants.map((v, i) => {
    const t0 = process.hrtime.bigint();
    const onFraction = (f: number): void => options.onProgress?.(i, total, v.label, f);
    const { metrics, events } = runVariant(v.scenario, plan.seed, onFraction);
    const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    options.onVariantDone?.({ label: v.label, metrics, events, wallSeconds }, i, total);
    return metrics;
  });
  return assembleResults(loaded, plan, runOf.map((i) => metricsByRun[i]));
}

/** The network model's configuration from a validated scenario. */
export function networkConfig(s: NetworkScenario): NetworkConfig {
  const nodes = s.cluster.nodes;
  return {
    duration: s.duration,
    cluster: {
      nodes,
      zones: s.cluster.zones,
      coresPerNode: s.cluster.coresPerNode,
      podsPerNode: s.cluster.podsPerNode,
      // ClusterLoader2's load test puts 100 nodes' worth of pods in a namespace (facts scale.md §6)
      namespaces: s.cluster.namespaces ?? Math.max(1, Math.ceil(nodes / 100)),
      services: s.services.map((g) => ({ name: g.name, count: g.count, replicas: g.replicas, headless: g.headless, ports: g.ports, ipFamilies: [...g.ipFamilies] })),
      absentServices: s.services.filter((g) => g.initially === "absent").map((g) => g.name),
    },
    apiserver: { ...s.apiserver, egressBytesPerSecond: s.apiserver.egressBandwidth },
    etcd: s.etcd,
    controller: s.controller,
    kubeProxy: s.kubeProxy,
    dns: {
      ...s.dns,
      // cluster-proportional-autoscaler's default linear parameters (facts dns-conntrack.md §5)
      servers: s.dns.servers === "auto" ? linearReplicas(uniformCluster(nodes, s.cluster.coresPerNode)) : s.dns.servers,
    },
    objects: s.objects,
    slo: s.slo,
    metrics: s.metrics,
    workload: s.workload,
  };
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
