/**
 * The network programming latency SLI as ClusterLoader2 computes it (kubernetes/perf-tests,
 * clusterloader2/pkg/measurement/common/slos/network_programming.go and the recording rules in
 * clusterloader2/pkg/prometheus/manifests/prometheus-rules.yaml):
 *
 *   every 30 s (the Prometheus rule evaluation interval):
 *     histogram_quantile(0.99, sum(rate(kubeproxy_network_programming_duration_seconds_bucket[5m])) by (le))
 *   then, at the end of the test:  quantile_over_time(0.99, <that series>[test duration])
 *
 * i.e. the 99th percentile pooled over all kube-proxies per 5-minute window, then the 99th percentile of those over
 * the run. Samples fall into kube-proxy's own buckets (pkg/proxy/metrics/metrics.go: 0.25, 0.5, 1..59 by 1,
 * 60..115 by 5, 120..300 by 30 s), and histogram_quantile interpolates linearly within a bucket, so the SLI is
 * capped at 300 s (a quantile in the +Inf bucket reports the highest finite bound) exactly as ClusterLoader2
 * reports it. Windows without a sample give NaN in Prometheus and are left out here.
 */
import type { Micros } from "../engine/time.js";

/** kube-proxy's NetworkProgrammingLatency buckets, seconds. */
export const NPL_BUCKETS_S: readonly number[] = (() => {
  const b = [0.25, 0.5];
  for (let s = 1; s <= 59; s++) b.push(s);
  for (let s = 60; s <= 115; s += 5) b.push(s);
  for (let s = 120; s <= 300; s += 30) b.push(s);
  return b;
})();

/**
 * The bucket a sample falls in (the first whose bound it does not exceed: Prometheus's `le`), computed from the
 * buckets' layout; NPL_BUCKETS_S.length is the +Inf bucket.
 */
export function nplBucketIndex(v: number): number {
  if (v <= 0.25) return 0;
  if (v <= 0.5) return 1;
  if (v <= 59) return Math.ceil(v) + 1; // 1..59 by 1: indexes 2..60
  if (v <= 115) return 61 + Math.max(0, Math.ceil((v - 60) / 5)); // 60..115 by 5: 61..72
  if (v <= 300) return 73 + Math.max(0, Math.ceil((v - 120) / 30)); // 120..300 by 30: 73..79
  return 80;
}

export const SLI_EVALUATION_INTERVAL: Micros = 30_000_000;
export const SLI_WINDOW: Micros = 300_000_000;

/** histogram_quantile over cumulative-free bucket counts (the last entry is +Inf), as Prometheus computes it. */
export function histogramQuantile(q: number, bounds: readonly number[], counts: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let cumulative = 0;
  for (let i = 0; i < counts.length; i++) {
    const before = cumulative;
    cumulative += counts[i];
    if (cumulative >= rank && counts[i] > 0) {
      if (i === bounds.length) return bounds[bounds.length - 1]; // the +Inf bucket
      const lower = i === 0 ? 0 : bounds[i - 1];
      return lower + (bounds[i] - lower) * ((rank - before) / counts[i]);
    }
  }
  return bounds[bounds.length - 1];
}

/** quantile_over_time: Prometheus's quantile of a set of values (linear interpolation between the sorted values). */
export function quantileOverTime(q: number, values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = q * (sorted.length - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(sorted.length - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return sorted[lower] * (1 - weight) + sorted[upper] * weight;
}

/** Counts samples per evaluation interval and bucket, by the time kube-proxy observed them (its sync's end). */
export class NplSli {
  private readonly nb = NPL_BUCKETS_S.length + 1;
  private counts: Float64Array;

  constructor(private readonly duration: Micros) {
    this.counts = new Float64Array((Math.ceil(duration / SLI_EVALUATION_INTERVAL) + 1) * this.nb);
  }

  /** A sample of `latencySeconds`, observed at `at`, standing for `weight` kube-proxies. */
  record(at: Micros, latencySeconds: number, weight: number): void {
    const slot = Math.max(0, Math.floor(at / SLI_EVALUATION_INTERVAL));
    if (slot * this.nb >= this.counts.length) return; // observed after the run ended: never scraped
    this.counts[slot * this.nb + nplBucketIndex(latencySeconds)] += weight;
  }

  /** The 5-minute-window p99 at each evaluation, 30 s apart, from the first interval's end to the run's end. */
  windowSeries(q = 0.99): number[] {
    const slots = Math.floor(this.duration / SLI_EVALUATION_INTERVAL);
    const perWindow = SLI_WINDOW / SLI_EVALUATION_INTERVAL;
    const window = new Float64Array(this.nb);
    const out: number[] = [];
    for (let t = 1; t <= slots; t++) {
      window.fill(0);
      for (let s = Math.max(0, t - perWindow); s < t; s++) for (let b = 0; b < this.nb; b++) window[b] += this.counts[s * this.nb + b];
      const v = histogramQuantile(q, NPL_BUCKETS_S, window);
      if (!Number.isNaN(v)) out.push(v);
    }
    return out;
  }

  /** quantile_over_time(0.99) of the windowed p99 series: the SLI ClusterLoader2 checks against its threshold. */
  p99(): number {
    return quantileOverTime(0.99, this.windowSeries(0.99));
  }
}
