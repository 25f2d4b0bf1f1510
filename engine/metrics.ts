import * as hdr from "hdr-histogram-js";
import type { MetricValue } from "./results.js";
import type { Simulation } from "./simulation.js";
import type { Micros } from "./time.js";

export class Counter {
  value = 0;
  constructor(readonly name: string, readonly unit: string) {}
  add(n = 1): void {
    this.value += n;
  }
}

/** A level that goes up and down; remembers its maximum and minimum. */
export class Gauge {
  value = 0;
  max = -Infinity;
  min = Infinity;
  constructor(readonly name: string, readonly unit: string) {}
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

/** A latency (or any non-negative integer) distribution on an HDR histogram: percentiles, merge, export. */
export class Histogram {
  readonly hist: hdr.Histogram;
  readonly scale: number;
  readonly percentiles: number[];

  constructor(readonly name: string, readonly unit: string, options: HistogramOptions = {}) {
    this.scale = options.scale ?? 1;
    this.percentiles = options.percentiles ?? [50, 90, 99, 99.9];
    this.hist = hdr.build({
      bitBucketSize: 64,
      autoResize: true,
      lowestDiscernibleValue: 1,
      highestTrackableValue: 2,
      numberOfSignificantValueDigits: options.significantDigits ?? 3,
      useWebAssembly: false,
    });
  }

  /** Records a value in base units; negative values are clamped to 0 and non-integers rounded. */
  record(value: number, count = 1): void {
    const v = value <= 0 ? 0 : Math.round(value);
    if (count === 1) this.hist.recordValue(v);
    else if (count > 0) this.hist.recordValueWithCount(v, count);
  }

  get count(): number {
    return this.hist.totalCount;
  }

  /** The value at percentile p (0..100), in exported units; 0 when empty. */
  percentile(p: number): number {
    if (this.hist.totalCount === 0) return 0;
    return this.hist.getValueAtPercentile(p) / this.scale;
  }

  get max(): number {
    return this.hist.totalCount === 0 ? 0 : this.hist.maxValue / this.scale;
  }

  get mean(): number {
    return this.hist.totalCount === 0 ? 0 : this.hist.mean / this.scale;
  }

  /** Adds every value recorded in `other` (same base unit) to this histogram. */
  merge(other: Histogram): void {
    this.hist.add(other.hist);
  }
}

/** Name of the metric exported for percentile p: 50 -> "p50", 99.9 -> "p999", 99.99 -> "p9999". */
export function percentileSuffix(p: number): string {
  return "p" + String(p).replace(".", "");
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
