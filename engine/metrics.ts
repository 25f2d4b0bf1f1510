import * as hdr from "hdr-histogram-js";
import type { Simulation } from "./simulation.js";
import type { Micros } from "./time.js";

/** What a model run measured, before it is labelled with scenario, variant and seed. */
export interface MetricValue {
  metric: string;
  unit: string;
  value: number;
}

export class Counter {
  value = 0;
  constructor(
    readonly name: string,
    readonly unit: string,
  ) {}
  add(n = 1): void {
    this.value += n;
  }
}

/** A level that goes up and down; remembers its maximum and minimum. */
export class Gauge {
  value = 0;
  max = -Infinity;
  min = Infinity;
  constructor(
    readonly name: string,
    readonly unit: string,
  ) {}
  set(v: number): void {
    this.value = v;
    if (v > this.max) this.max = v;
    if (v < this.min) this.min = v;
  }
  add(d: number): void {
    this.set(this.value + d);
  }
}

export interface HistogramOptions {
  /**
   * Values are recorded as integers in a base unit (e.g. µs) and exported divided by `scale` (e.g. 1e6 to report
   * seconds). Default 1.
   */
  scale?: number;
  /** Significant decimal digits kept by the HDR histogram (1..5). Default 3. */
  significantDigits?: 1 | 2 | 3 | 4 | 5;
  /** Percentiles exported as `<name>.p<q>`, e.g. 50 -> p50, 99.9 -> p999. Default [50, 90, 99, 99.9]. */
  percentiles?: number[];
}

/**
 * A latency (or any non-negative integer) distribution on an HDR histogram: percentiles, merge, export.
 *
 * Hot path: `record` only bumps a count in a typed array laid out exactly like hdr-histogram-js's counts (the same
 * log-linear buckets for the same significant digits); the library histogram is filled from those counts when it is
 * queried. Recording through hdr-histogram-js directly cost ~30 ns a value (Math.log2 and three calls), about half of
 * a 10^8-sample fan-out run; `npm run bench:histogram` measures both, and a property test checks they give the same
 * percentiles.
 */
export class Histogram {
  private readonly hdrHist: hdr.Histogram;
  readonly scale: number;
  readonly percentiles: number[];
  private counts: Float64Array<ArrayBuffer>;
  private total = 0;
  private pending = false;
  /** Exact extremes of what is pending (hdr-histogram-js tracks the exact max and min, not their buckets). */
  private pendingMax = -1;
  private pendingMin = Infinity;
  private readonly halfMagnitude: number;
  private readonly halfCount: number;
  private readonly mask: number;

  constructor(
    readonly name: string,
    readonly unit: string,
    options: HistogramOptions = {},
  ) {
    this.scale = options.scale ?? 1;
    this.percentiles = options.percentiles ?? [50, 90, 99, 99.9];
    const digits = options.significantDigits ?? 3;
    this.hdrHist = hdr.build({
      bitBucketSize: 64,
      autoResize: true,
      lowestDiscernibleValue: 1,
      highestTrackableValue: 2,
      numberOfSignificantValueDigits: digits,
      useWebAssembly: false,
    });
    // hdr-histogram-js JsHistogram's constructor, for lowestDiscernibleValue 1 (unitMagnitude 0)
    const countMagnitude = Math.ceil(Math.log2(2 * 10 ** digits));
    this.halfMagnitude = (countMagnitude > 1 ? countMagnitude : 1) - 1;
    this.halfCount = 2 ** this.halfMagnitude;
    this.mask = 2 * this.halfCount - 1;
    this.counts = new Float64Array((8 + 1) * this.halfCount);
  }

  /** Records a value in base units; negative values are clamped to 0 and non-integers rounded. */
  record(value: number, count = 1): void {
    if (!(count > 0)) return;
    const v = value <= 0 ? 0 : Math.round(value);
    const index = this.indexOf(v);
    if (index >= this.counts.length) this.grow(index);
    this.counts[index] += count;
    this.total += count;
    this.pending = true;
    if (v > this.pendingMax) this.pendingMax = v;
    if (v !== 0 && v < this.pendingMin) this.pendingMin = v;
  }

  /** The hdr-histogram-js histogram holding everything recorded. */
  get hist(): hdr.Histogram {
    if (this.pending) {
      // the exact max and min go in as themselves (same buckets), so the library's max and min stay exact
      for (const extreme of this.pendingMin === this.pendingMax ? [this.pendingMax] : [this.pendingMax, this.pendingMin]) {
        if (extreme < 0 || extreme === Infinity) continue;
        this.hdrHist.recordValue(extreme);
        this.counts[this.indexOf(extreme)] -= 1;
      }
      const counts = this.counts;
      for (let i = 0; i < counts.length; i++) {
        if (counts[i] === 0) continue;
        let bucket = (i >> this.halfMagnitude) - 1;
        let sub = (i & (this.halfCount - 1)) + this.halfCount;
        if (bucket < 0) {
          sub -= this.halfCount;
          bucket = 0;
        }
        this.hdrHist.recordValueWithCount(sub * 2 ** bucket, counts[i]);
        counts[i] = 0;
      }
      this.pending = false;
      this.pendingMax = -1;
      this.pendingMin = Infinity;
    }
    return this.hdrHist;
  }

  get count(): number {
    return this.total;
  }

  /** The value at percentile p (0..100), in exported units; 0 when empty. */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    return this.hist.getValueAtPercentile(p) / this.scale;
  }

  get max(): number {
    return this.total === 0 ? 0 : this.hist.maxValue / this.scale;
  }

  get mean(): number {
    return this.total === 0 ? 0 : this.hist.mean / this.scale;
  }

  /** Adds every value recorded in `other` (same base unit) to this histogram. */
  merge(other: Histogram): void {
    this.hist.add(other.hist);
    this.total += other.total;
  }

  /** hdr-histogram-js's counts index of v: bucket = floor(log2(v | mask)) - halfMagnitude, by clz (exact below 2^53). */
  private indexOf(v: number): number {
    const w = v > this.mask ? v : this.mask;
    const log2 = w < 4294967296 ? 31 - Math.clz32(w) : 63 - Math.clz32(Math.floor(w * INV_2_32));
    const bucket = log2 - this.halfMagnitude;
    const sub = bucket === 0 ? v : Math.floor(v * INV_POW2[bucket]);
    return bucket * this.halfCount + sub;
  }

  private grow(index: number): void {
    let cap = this.counts.length;
    while (cap <= index) cap *= 2;
    const next = new Float64Array(cap);
    next.set(this.counts);
    this.counts = next;
  }
}

const INV_2_32 = 2 ** -32;
/** 2^-k, exact: multiplying by it is an exact division by 2^k. */
const INV_POW2 = Float64Array.from({ length: 64 }, (_, k) => 2 ** -k);

/** Name of the metric exported for percentile p: 50 -> "p50", 99.9 -> "p999", 99.99 -> "p9999". */
export function percentileSuffix(p: number): string {
  return `p${String(p).replace(".", "")}`;
}

interface SeriesEntry {
  name: string;
  unit: string;
  sample: () => number;
  points: number[];
}

/**
 * The metrics of one run. Everything registered here is exported, in registration order, as result rows, so the
 * row order is deterministic.
 */
export class Metrics {
  private readonly entries: (Counter | Gauge | Histogram | SeriesEntry)[] = [];
  private readonly names = new Set<string>();
  private seriesInterval: Micros = 0;
  private seriesTimes: Micros[] = [];

  counter(name: string, unit: string): Counter {
    return this.register(new Counter(name, unit));
  }

  gauge(name: string, unit: string): Gauge {
    return this.register(new Gauge(name, unit));
  }

  histogram(name: string, unit: string, options?: HistogramOptions): Histogram {
    return this.register(new Histogram(name, unit, options));
  }

  /**
   * A time series sampled every `interval` of simulated time once `sampleEvery` has been called. Exported as one row
   * per sample, `<name>@<t>s`, plus `<name>.max`.
   */
  timeSeries(name: string, unit: string, sample: () => number): void {
    this.register({ name, unit, sample, points: [] });
  }

  /** Schedules sampling of every time series at 0, interval, 2*interval, ... up to `until` (inclusive). */
  sampleEvery(sim: Simulation, interval: Micros, until: Micros): void {
    if (!(interval > 0)) throw new RangeError(`sampling interval must be > 0 µs, got ${interval}`);
    this.seriesInterval = interval;
    const tick = (): void => {
      this.seriesTimes.push(sim.now);
      for (const e of this.entries) if (isSeries(e)) e.points.push(e.sample());
      if (sim.now + interval <= until) sim.after(interval, tick);
    };
    sim.schedule(sim.now, tick);
  }

  /** All metrics as rows, in registration order. */
  export(): MetricValue[] {
    const out: MetricValue[] = [];
    for (const e of this.entries) {
      if (e instanceof Counter) {
        out.push({ metric: e.name, unit: e.unit, value: e.value });
      } else if (e instanceof Gauge) {
        out.push({ metric: `${e.name}.max`, unit: e.unit, value: e.max === -Infinity ? 0 : e.max });
        out.push({ metric: `${e.name}.final`, unit: e.unit, value: e.value });
      } else if (e instanceof Histogram) {
        out.push({ metric: `${e.name}.count`, unit: "count", value: e.count });
        for (const p of e.percentiles) out.push({ metric: `${e.name}.${percentileSuffix(p)}`, unit: e.unit, value: e.percentile(p) });
        out.push({ metric: `${e.name}.max`, unit: e.unit, value: e.max });
        out.push({ metric: `${e.name}.mean`, unit: e.unit, value: e.mean });
      } else {
        let max = 0;
        for (let i = 0; i < e.points.length; i++) {
          const t = this.seriesTimes[i] / 1_000_000;
          out.push({ metric: `${e.name}@${t}s`, unit: e.unit, value: e.points[i] });
          if (e.points[i] > max) max = e.points[i];
        }
        out.push({ metric: `${e.name}.max`, unit: e.unit, value: max });
      }
    }
    const seen = new Set<string>();
    for (const row of out) {
      if (seen.has(row.metric)) throw new Error(`metric ${row.metric} exported twice (a derived name collides with another metric)`);
      seen.add(row.metric);
    }
    return out;
  }

  /** The sampling interval in µs, 0 when nothing is sampled. */
  get interval(): Micros {
    return this.seriesInterval;
  }

  private register<T extends { name: string }>(entry: T): T {
    if (this.names.has(entry.name)) throw new Error(`metric ${entry.name} registered twice`);
    this.names.add(entry.name);
    this.entries.push(entry as unknown as Counter);
    return entry;
  }
}

function isSeries(e: unknown): e is SeriesEntry {
  return typeof e === "object" && e !== null && "sample" in e && "points" in e;
}
