/**
 * `npm run bench:histogram`: recording 10^7 latency samples (µs, lognormal around 1 s) into the engine's Histogram
 * (own counts, hdr-histogram-js filled on query) vs into hdr-histogram-js directly. Figures only.
 */
import * as hdr from "hdr-histogram-js";
import { Histogram } from "../../engine/metrics.js";
import { RandomStreams } from "../../engine/random.js";

const n = Number(process.argv[2] ?? 10_000_000);
const values = new Float64Array(n);
const rng = new RandomStreams(1).stream("bench/histogram");
for (let i = 0; i < n; i++) values[i] = Math.round(rng.lognormalMedianP99(1e6, 2e7));

function time(label: string, run: () => number): number {
  run();
  const t0 = process.hrtime.bigint();
  const p99 = run();
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(`impl=${label} samples=${n} wall_s=${s.toFixed(3)} ns_per_sample=${((s * 1e9) / n).toFixed(1)} p99=${p99}`);
  return s;
}

const ours = time("engine-histogram", () => {
  const h = new Histogram("h", "us");
  for (let i = 0; i < n; i++) h.record(values[i]);
  return h.percentile(99);
});
const lib = time("hdr-histogram-js-recordValue", () => {
  const h = hdr.build({
    bitBucketSize: 64,
    autoResize: true,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
  for (let i = 0; i < n; i++) h.recordValue(values[i]);
  return h.getValueAtPercentile(99);
});
console.log(`# engine histogram / hdr-histogram-js direct: ${(lib / ours).toFixed(2)}x faster`);
