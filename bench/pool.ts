import { getHeapStatistics } from "node:v8";
import { InputError } from "./load.js";
import { Worker } from "node:worker_threads";
import type { MetricValue } from "../engine/metrics.js";
import type { Scenario } from "./schema.js";
import type { PartRun, RunPart, VariantOutcome } from "./runner.js";

export type ToWorker = { index: number; scenario: Scenario; seed: number; part: RunPart };
export type FromWorker =
  | { type: "progress"; index: number; fraction: number }
  | { type: "done"; index: number; metrics: MetricValue[]; events: number; wallSeconds: number }
  | { type: "error"; index: number; message: string; input?: boolean };

/** Raised when a run is interrupted (SIGINT): nothing is written. */
export class Interrupted extends Error {
  override name = "Interrupted";
}

/** A run that could not finish for a reason the user can act on (out of memory): one sentence, exit 1. */
export class RunFailure extends Error {
  override name = "RunFailure";
}

/** The worker threads' old-generation limit in MB: NETSCALE_WORKER_HEAP_MB, else Node's default. */
function heapLimitMb(): number | undefined {
  const v = Number(process.env.NETSCALE_WORKER_HEAP_MB);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

export interface PoolOptions {
  threads: number;
  signal?: AbortSignal;
  onProgress?: (index: number, fraction: number) => void;
  onVariantDone?: (outcome: VariantOutcome, index: number) => void;
}

/**
 * Runs a plan's runs on worker threads, each worker taking the next run when it finishes one. Each run is a pure
 * function of (scenario, part, seed), so the metrics are the same as in one thread; they come back by index.
 */
export function runInWorkers(runs: PartRun[], options: PoolOptions): Promise<MetricValue[][]> {
  const total = runs.length;
  // nothing to run (a shard with no variant): no worker to wait for
  if (total === 0) return Promise.resolve([]);
  const results: MetricValue[][] = new Array(total);
  const threads = Math.max(1, Math.min(options.threads, total));
  return new Promise((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let finished = 0;
    let settled = false;
    const stop = (error?: Error): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener("abort", onAbort);
      for (const w of workers) void w.terminate();
      if (error === undefined) resolve(results);
      else reject(error);
    };
    const onAbort = (): void => stop(new Interrupted("interrupted"));
    const feed = (worker: Worker): void => {
      if (next >= total) return;
      const index = next++;
      const message: ToWorker = { index, scenario: runs[index].scenario, seed: runs[index].seed, part: runs[index].part };
      running.set(worker, index);
      worker.postMessage(message);
    };
    if (options.signal?.aborted) return stop(new Interrupted("interrupted"));
    options.signal?.addEventListener("abort", onAbort);
    const running = new Map<Worker, number>();
    const limit = heapLimitMb();
    for (let t = 0; t < threads; t++) {
      const worker = new Worker(new URL("./worker.mjs", import.meta.url), {
        resourceLimits: { maxYoungGenerationSizeMb: 384, ...(limit === undefined ? {} : { maxOldGenerationSizeMb: limit }) },
      });
      workers.push(worker);
      worker.on("message", (m: FromWorker) => {
        if (settled) return;
        if (m.type === "progress") {
          options.onProgress?.(m.index, m.fraction);
        } else if (m.type === "error") {
          stop(m.input === true ? new InputError(`variant ${runs[m.index].label}: ${m.message}`) : new Error(`variant ${runs[m.index].label}: ${m.message}`));
        } else {
          results[m.index] = m.metrics;
          options.onVariantDone?.(
            { label: runs[m.index].label, part: runs[m.index].part, metrics: m.metrics, events: m.events, wallSeconds: m.wallSeconds },
            m.index,
          );
          if (++finished === total) stop();
          else feed(worker);
        }
      });
      worker.on("error", (e) => {
        const index = running.get(worker);
        if ((e as NodeJS.ErrnoException).code === "ERR_WORKER_OUT_OF_MEMORY") {
          const what = index === undefined ? "a worker thread" : `variant ${runs[index].label}${runs[index].part === "whole" ? "" : ` (${runs[index].part})`}`;
          const heap =
            limit === undefined
              ? `Node's default heap limit (${Math.round(getHeapStatistics().heap_size_limit / 2 ** 20)} MB here)`
              : `a heap limit of ${limit} MB (NETSCALE_WORKER_HEAP_MB)`;
          stop(
            new RunFailure(
              `${what} ran out of memory in its worker thread under ${heap}: run fewer at once (--threads 1), give each more (NODE_OPTIONS=--max-old-space-size=16384), or shrink the scenario (fewer nodes, a larger kubeProxy.cohortSize)`,
            ),
          );
          return;
        }
        stop(e);
      });
      worker.on("exit", (code) => {
        if (!settled) stop(new Error(`a worker thread exited (code ${code}) before finishing its variant`));
      });
      feed(worker);
    }
  });
}
