/**
 * The report's charts: one builder per chart, each turning the results into an ECharts option, or into nothing when
 * no variant has the chart's rows. Rendered to SVG strings in Node (ECharts server-side rendering), so the report
 * needs no script. ECharts escapes every text it draws (`<`, `>`, `&`, quotes); charts.test.ts pins that.
 */
import { createRequire } from "node:module";
import type * as ECharts from "echarts";
import type { Results } from "./results.js";
import { DIMENSIONS, type MetricName, metricName, metricSpec } from "../models/metrics.js";
import { familiesOf, type Perturbation } from "./verdict.js";
import { shortLabels } from "./variant-labels.js";

let echartsModule: typeof ECharts | undefined;

/**
 * ECharts, loaded on first use as its single-file build: importing its ES modules up front added over a second
 * to every start of the CLI, whether or not it writes a report.
 */
function echarts(): typeof ECharts {
  echartsModule ??= createRequire(import.meta.url)("echarts") as typeof ECharts;
  return echartsModule;
}

export interface ChartSvg {
  /** Unique in the report; also the prefix of every id and class inside the SVG. */
  id: string;
  svg: string;
}

interface ChartSpec {
  id: string;
  height: number;
  option: ECharts.EChartsCoreOption;
}

type ChartBuilder = (results: Results) => ChartSpec | undefined;

const CHARTS: ChartBuilder[] = [
  nplCdfChart,
  egressBacklogChart,
  phaseWatchBytesChart,
  watchBytesChart,
  etcdWritesByKindChart,
  sliceFillChart,
  dnsLatencyCdfChart,
  conntrackChart,
  dnsCostChart,
];

/** Every chart the results have data for, in report order; with a sensitivity study, a tornado per ranked metric first. */
export function renderCharts(results: Results, perturbations: readonly Perturbation[] = []): ChartSvg[] {
  return [...tornadoCharts(results, perturbations), ...CHARTS.map((build) => build(results))]
    .filter((spec) => spec !== undefined)
    .map((spec) => ({ id: `chart-${spec.id}`, svg: renderSvg(spec, `chart-${spec.id}`) }));
}

const WIDTH = 800;
const TITLE_HEIGHT = 64;
const BAR_ROW = 26;
const AXIS_NAME_BAND = 34;
const LINE_CHART_PLOT = 300;
/** Tableau 10: distinct, colour-blind-aware; after ten series the line style changes instead. */
const PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];
const LINE_TYPES = ["solid", "dashed", "dotted"] as const;
/** Variant labels that could not be shortened are cut at this width (px) in axes and legends; tables show them whole. */
const LABEL_WIDTH = 240;

function watchBytesChart(results: Results): ChartSpec | undefined {
  return variantBarChart(results, { id: "watch-bytes", metric: "watch.bytes", title: "Bytes fanned out to watchers", axis: "bytes sent" });
}

/** etcd writes per variant, stacked by kind of object: pods and Leases dominate the total, the endpoints kinds differ. */
function etcdWritesByKindChart(results: Results): ChartSpec | undefined {
  const stacks = (DIMENSIONS.kind as readonly string[])
    .map((kind) => ({ name: kind, data: scalarRows(results, metricName("etcd.writes.{kind}", { kind })) }))
    .filter((k) => k.data !== undefined && [...k.data.values.values()].some((v) => v > 0));
  return stackedBarChart(results, { id: "etcd-writes", title: "etcd writes by kind", axis: "writes (count)", unit: "count", stacks });
}

/** Watch bytes per workload phase, stacked per variant: which phase's changes cost the fan-out. */
function phaseWatchBytesChart(results: Results): ChartSpec | undefined {
  const stacks = phaseStarts(results).map((p) => ({ name: p.name, data: scalarRows(results, metricName("phase.{phase}.watch.bytes", { phase: p.name })) }));
  return stackedBarChart(results, {
    id: "phase-watch-bytes",
    title: "Watch bytes per workload phase",
    note: "a phase runs from its step's start to the next step's",
    axis: "bytes sent",
    unit: "bytes",
    stacks,
  });
}

/** One bar per variant, cut into stacks (kinds, phases), each stack its own colour; nothing when no stack has data. */
function stackedBarChart(
  results: Results,
  c: { id: string; title: string; note?: string; axis: string; unit: string; stacks: { name: string; data?: { values: Map<string, number> } }[] },
): ChartSpec | undefined {
  const variants = variantOrder(results).filter((v) => c.stacks.some((st) => st.data?.values.has(v)));
  if (variants.length === 0) return undefined;
  const { labels, keys } = shortLabels(variants);
  const legend = legendLayout(c.stacks.map((st) => st.name));
  return {
    id: c.id,
    height: barChartHeight(labels.length, legend.height),
    option: {
      ...baseOption(c.title, keys, c.note),
      legend: legend.option,
      grid: plotArea({ left: 8, right: 24, bottom: legend.height }),
      xAxis: valueAxis(c.axis, c.unit),
      yAxis: variantAxis(labels),
      series: c.stacks.map((st, i) => ({
        type: "bar",
        name: st.name,
        stack: "all",
        color: PALETTE[i % PALETTE.length],
        data: variants.map((v) => st.data?.values.get(v) ?? 0),
      })),
    },
  };
}

/** The apiservers' egress backlog over time: how far behind the watch fan-out runs, with the workload's steps marked. */
function egressBacklogChart(results: Results): ChartSpec | undefined {
  const series = curves(results, "apiserver.egress_backlog");
  if (series === undefined) return undefined;
  return lineChart(results, series, {
    id: "egress-backlog",
    title: "apiserver egress backlog over time",
    xAxis: { ...valueAxis("simulated time (s)", "s"), min: "dataMin", max: "dataMax" },
    yAxis: valueAxis(`seconds of sending queued (${series.unit})`, series.unit),
    marks: phaseMarks(results),
  });
}

/** The workload's steps as vertical lines on a time axis: `phase.<name>.start_s` of the first variant. */
function phaseMarks(results: Results): Mark[] {
  return phaseStarts(results).map((p) => ({ axis: "x", value: p.at, label: p.name }));
}

function phaseStarts(results: Results): { name: string; at: number }[] {
  const first = variantOrder(results)[0];
  const out: { name: string; at: number }[] = [];
  for (const r of results.rows) {
    if (r.variant !== first) continue;
    const m = /^phase\.([A-Za-z0-9_-]+)\.start_s$/.exec(r.metric);
    if (m !== null) out.push({ name: m[1], at: r.value });
  }
  return out.sort((a, b) => a.at - b.at);
}

/** Per ranked metric, for its first family's reference: how far each uncertain parameter's low and high move it (%). */
function tornadoCharts(results: Results, perturbations: readonly Perturbation[]): (ChartSpec | undefined)[] {
  if (perturbations.length === 0) return [];
  const seen = new Set<string>();
  const out: ChartSpec[] = [];
  for (const family of familiesOf(results)) {
    for (const rule of family.rank ?? results.rank ?? []) {
      if (seen.has(rule.metric)) continue;
      seen.add(rule.metric);
      const value = (r: Results): number | undefined => r.rows.find((x) => x.variant === family.reference && x.metric === rule.metric)?.value;
      const base = value(results);
      if (base === undefined || base === 0) continue;
      const parameters = [...new Set(perturbations.map((p) => p.parameter))];
      const bars = parameters
        .map((parameter) => {
          const at = (level: "low" | "high") => perturbations.find((p) => p.parameter === parameter && p.level === level);
          const pct = (p: Perturbation | undefined): number => {
            const v = p === undefined ? undefined : value(p.results);
            return v === undefined ? 0 : ((v - base) / Math.abs(base)) * 100;
          };
          const low = at("low");
          const high = at("high");
          return { parameter: `${parameter} (${low?.value ?? "?"} .. ${high?.value ?? "?"})`, low: pct(low), high: pct(high) };
        })
        .sort((a, b) => Math.abs(b.high - b.low) - Math.abs(a.high - a.low));
      const legend = legendLayout(["low", "high"]);
      out.push({
        id: `tornado-${rule.metric.replace(/[^a-z0-9]+/gi, "-")}`,
        height: barChartHeight(bars.length, legend.height),
        option: {
          ...baseOption(`Sensitivity of ${rule.metric}`, [], `${family.reference} (the ${family.name} family's reference); change from its base value`),
          legend: legend.option,
          grid: plotArea({ left: 8, right: 56, bottom: legend.height }),
          xAxis: valueAxis("change (%)", "%"),
          yAxis: variantAxis(bars.map((b) => b.parameter)),
          series: [
            { type: "bar", name: "low", stack: "t", color: PALETTE[0], data: bars.map((b) => Number(b.low.toFixed(2))) },
            { type: "bar", name: "high", stack: "t", color: PALETTE[1], data: bars.map((b) => Number(b.high.toFixed(2))) },
          ],
        },
      });
    }
  }
  return out;
}

/** Slices per fill-ratio bucket, stacked per variant: the bar's length is the slice count, its colours how full. */
function sliceFillChart(results: Results): ChartSpec | undefined {
  const histogram = curves(results, "endpointslice.fill.slices@le{le}");
  if (histogram === undefined) return undefined;
  const bounds = [...new Set(histogram.curves.flatMap((c) => c.points.map(([le]) => le)))].sort((a, b) => a - b);
  const { labels, keys } = shortLabels(histogram.curves.map((c) => c.variant));
  const ramp = blueRamp(bounds.length);
  const series = bounds.map((le, i) => ({
    type: "bar",
    name: i === 0 ? `${le}` : `(${bounds[i - 1]}, ${le}]`,
    stack: "fill",
    color: ramp[i],
    data: histogram.curves.map((c) => c.points.find(([x]) => x === le)?.[1] ?? 0),
  }));
  const legend = legendLayout(series.map((s) => s.name));
  return {
    id: "slice-fill",
    height: barChartHeight(labels.length, legend.height),
    option: {
      ...baseOption("EndpointSlice fill distribution", keys, "colour: fill ratio, endpoints ÷ maxEndpointsPerSlice"),
      legend: legend.option,
      grid: plotArea({ left: 8, right: 24, bottom: legend.height }),
      xAxis: valueAxis(`slices (${histogram.unit})`, histogram.unit),
      yAxis: variantAxis(labels),
      series,
    },
  };
}

function nplCdfChart(results: Results): ChartSpec | undefined {
  const threshold = scalar(results, "npl.threshold_s")?.values.values().next().value;
  const marks: Mark[] = threshold === undefined ? [] : [{ axis: "x", value: threshold, label: `SLO ${threshold} s` }];
  return cdfChart(results, { id: "npl-cdf", name: "npl.latency_s@q{q}", title: "Network programming latency (CDF)", axis: "latency", marks });
}

function dnsLatencyCdfChart(results: Results): ChartSpec | undefined {
  return cdfChart(results, { id: "dns-latency-cdf", name: "dns.latency_ms@q{q}", title: "DNS lookup latency (CDF)", axis: "latency" });
}

function conntrackChart(results: Results): ChartSpec | undefined {
  const series = curves(results, "conntrack.entries.max_node");
  if (series === undefined) return undefined;
  const limit = scalar(results, "conntrack.max_entries")?.values.values().next().value;
  return lineChart(results, series, {
    id: "conntrack",
    title: "conntrack occupancy (fullest node)",
    xAxis: { ...valueAxis("simulated time (s)", "s"), min: "dataMin", max: "dataMax" },
    yAxis: { ...valueAxis(`entries (${series.unit})`, series.unit), ...(limit === undefined ? {} : { max: (v: { max: number }) => Math.max(v.max, limit) }) },
    marks: [...phaseMarks(results), ...(limit === undefined ? [] : [{ axis: "y" as const, value: limit, label: `nf_conntrack_max ${limit}` }])],
  });
}

/** CPU and memory of the DNS servers cluster-wide, side by side on the same variant rows. */
function dnsCostChart(results: Results): ChartSpec | undefined {
  const panels = [
    { name: "CPU", data: scalar(results, "dns.cpu_cores") },
    { name: "memory", data: scalar(results, "dns.memory_bytes") },
  ].flatMap((p) => (p.data === undefined ? [] : [{ name: p.name, data: p.data }]));
  if (panels.length === 0) return undefined;
  const variants = variantOrder(results).filter((v) => panels.some((p) => p.data.values.has(v)));
  const { labels, keys } = shortLabels(variants);
  const share = 100 / panels.length;
  return {
    id: "dns-cost",
    height: barChartHeight(labels.length, 0),
    option: {
      ...baseOption("DNS cost, cluster-wide", keys),
      grid: panels.map((_, i) =>
        plotArea({ left: i === 0 ? 8 : `${share * i + 2}%`, right: i === panels.length - 1 ? 56 : `${share * (panels.length - 1 - i) + 2}%`, bottom: 0 }),
      ),
      xAxis: panels.map((p, i) => ({ ...valueAxis(`${p.name} (${p.data.unit})`, p.data.unit), gridIndex: i })),
      yAxis: panels.map((_, i) => ({ ...variantAxis(labels), gridIndex: i, axisLabel: { show: i === 0, width: LABEL_WIDTH, overflow: "truncate" } })),
      series: panels.map((p, i) => ({
        ...barSeries(
          variants.map((v) => p.data.values.get(v) ?? null),
          p.data.unit,
        ),
        name: p.name,
        color: PALETTE[i],
        xAxisIndex: i,
        yAxisIndex: i,
      })),
    },
  };
}

function variantBarChart(results: Results, c: { id: string; metric: MetricName; title: string; axis: string }): ChartSpec | undefined {
  const data = scalar(results, c.metric);
  if (data === undefined) return undefined;
  const variants = [...data.values.keys()];
  const { labels, keys } = shortLabels(variants);
  return {
    id: c.id,
    height: barChartHeight(labels.length, 0),
    option: {
      ...baseOption(c.title, keys),
      grid: plotArea({ left: 8, right: 56, bottom: 0 }),
      xAxis: valueAxis(`${c.axis} (${data.unit})`, data.unit),
      yAxis: variantAxis(labels),
      series: [{ ...barSeries([...data.values.values()], data.unit), color: PALETTE[0] }],
    },
  };
}

/** Bars labelled with their value; a variant without one gets no bar (null). */
function barSeries(values: (number | null)[], unit: string): Record<string, unknown> {
  const format = compactNumber(unit);
  return {
    type: "bar",
    data: values,
    barMaxWidth: 18,
    label: { show: true, position: "right", formatter: (p: { value: unknown }) => (typeof p.value === "number" ? format(p.value) : "") },
  };
}

/**
 * A distribution given as quantile rows `<name>@q<p>`: x is the value at quantile p, y is p. The x axis turns
 * logarithmic when the values span two decades or more and none is zero.
 */
function cdfChart(results: Results, c: { id: string; name: MetricName; title: string; axis: string; marks?: Mark[] }): ChartSpec | undefined {
  const quantiles = curves(results, c.name);
  if (quantiles === undefined) return undefined;
  const values = quantiles.curves.flatMap((q) => q.points.map(([, v]) => v));
  const min = Math.min(...values);
  const max = Math.max(...values);
  const logarithmic = min > 0 && max / min >= 100;
  const flipped = {
    unit: quantiles.unit,
    curves: quantiles.curves.map((q) => ({ variant: q.variant, points: q.points.map(([p, v]): [number, number] => [v, p]) })),
  };
  return lineChart(results, flipped, {
    id: c.id,
    title: c.title,
    marks: c.marks,
    xAxis: {
      ...valueAxis(`${c.axis} (${quantiles.unit}${logarithmic ? ", log scale" : ""})`, quantiles.unit),
      ...(logarithmic ? { type: "log", logBase: 10 } : { min: "dataMin" }),
    },
    yAxis: { ...valueAxis("fraction ≤ latency", ""), min: 0, max: 1 },
  });
}

/** A reference line on a chart: a threshold, a limit or a workload step. */
interface Mark {
  axis: "x" | "y";
  value: number;
  label: string;
}

/**
 * One line per variant; a legend below the plot when there are several. Families are told apart by dash (solid,
 * dashed, dotted) and variants within a family by colour.
 */
function lineChart(results: Results, data: CurveSet, c: { id: string; title: string; xAxis: object; yAxis: object; marks?: Mark[] }): ChartSpec {
  const { labels, keys } = shortLabels(data.curves.map((s) => s.variant));
  const legend = labels.length > 1 ? legendLayout(labels) : undefined;
  const legendHeight = legend?.height ?? 0;
  const style = familyStyles(results);
  const marks = c.marks ?? [];
  const markLine =
    marks.length === 0
      ? undefined
      : {
          silent: true,
          symbol: "none",
          lineStyle: { color: "#555", type: "dashed", width: 1 },
          label: { formatter: "{b}", position: "insideEndTop", fontSize: 10 },
          data: marks.map((m) => ({ name: m.label, [m.axis === "x" ? "xAxis" : "yAxis"]: m.value })),
        };
  return {
    id: c.id,
    height: TITLE_HEIGHT + LINE_CHART_PLOT + AXIS_NAME_BAND + legendHeight,
    option: {
      ...baseOption(c.title, keys),
      ...(legend === undefined ? {} : { legend: legend.option }),
      grid: plotArea({ left: 32, right: 32, bottom: legendHeight }),
      xAxis: c.xAxis,
      yAxis: c.yAxis,
      series: data.curves.map((s, i) => {
        const { color, dash } = style(s.variant, i);
        return {
          type: "line",
          name: labels[i],
          data: s.points,
          showSymbol: false,
          color,
          lineStyle: { width: 1.5, type: dash },
          ...(i === 0 && markLine !== undefined ? { markLine } : {}),
        };
      }),
    },
  };
}

/** A variant's line colour and dash: dash by family (its first), colour by its place in the family. */
function familyStyles(results: Results): (variant: string, index: number) => { color: string; dash: (typeof LINE_TYPES)[number] } {
  const families = results.families ?? [];
  return (variant, index) => {
    const f = families.findIndex((x) => x.variants.includes(variant));
    if (f < 0) return { color: PALETTE[index % PALETTE.length], dash: LINE_TYPES[Math.floor(index / PALETTE.length) % LINE_TYPES.length] };
    const within = families[f].variants.indexOf(variant);
    return { color: PALETTE[within % PALETTE.length], dash: LINE_TYPES[f % LINE_TYPES.length] };
  };
}

/** `variantKeys` are the keys that the short variant labels show the values of; the subtitle names them. */
function baseOption(title: string, variantKeys: string[], note?: string): Record<string, unknown> {
  const subtext = [variantKeys.length === 0 ? "" : `variants: ${variantKeys.join(" × ")}`, note ?? ""].filter((t) => t !== "").join("; ");
  return { animation: false, title: { text: title, subtext, left: 8, top: 4 } };
}

/** One bar row per variant, plus the tick labels, the axis name and the legend. */
function barChartHeight(rows: number, legendHeight: number): number {
  return TITLE_HEIGHT + rows * BAR_ROW + 24 + AXIS_NAME_BAND + legendHeight;
}

/**
 * The plot's box below the title: it shrinks to keep the tick labels inside; the x axis name gets a fixed band
 * under them (`left` leaves room for a y axis name where there is one).
 */
function plotArea(box: { left: number | string; right: number | string; bottom: number }): Record<string, unknown> {
  return { ...box, top: TITLE_HEIGHT, bottom: box.bottom + AXIS_NAME_BAND, outerBoundsMode: "same", outerBoundsContain: "axisLabel" };
}

/** Variants down the side, the first at the top. */
function variantAxis(labels: string[]): Record<string, unknown> {
  return { type: "category", inverse: true, data: labels, axisLabel: { width: LABEL_WIDTH, overflow: "truncate" } };
}

/** Units that only come in whole numbers: their ticks never go between two. */
const WHOLE_UNITS = new Set(["bytes", "count", "entries"]);

function valueAxis(name: string, unit: string): Record<string, unknown> {
  const ticks = WHOLE_UNITS.has(unit) ? { minInterval: 1 } : {};
  return { type: "value", name, nameLocation: "middle", nameGap: 28, axisLabel: { formatter: compactNumber(unit) }, ...ticks };
}

/** Axis and bar labels: large numbers with SI prefixes (decimal, so ticks stay round), bytes always with B. */
function compactNumber(unit: string): (v: number) => string {
  const bytes = unit === "bytes";
  const prefixes = ["", "k", "M", "G", "T", "P"];
  return (v) => {
    let i = 0;
    while (Math.abs(v) >= 1000 && i < prefixes.length - 1 && (bytes || Math.abs(v) >= 1e4 || i > 0)) {
      v /= 1000;
      i++;
    }
    const digits = String(Number(v.toPrecision(3)));
    return bytes ? `${digits} ${prefixes[i]}B` : `${digits}${prefixes[i]}`;
  };
}

/**
 * A legend under the plot, wrapped to the chart's width. ECharts does not move the plot out of the legend's way, so
 * its height is estimated here (about 7 px per character at 12 px) and the plot given the rest.
 */
function legendLayout(names: string[]): { height: number; option: Record<string, unknown> } {
  const available = WIDTH - 40;
  let rows = 1;
  let x = 0;
  for (const name of names) {
    const item = 25 + 5 + Math.min(name.length * 7, LABEL_WIDTH) + 10;
    if (x > 0 && x + item > available) {
      rows++;
      x = 0;
    }
    x += item;
  }
  return { height: rows * 22 + 12, option: { bottom: 4, left: 20, width: available, itemGap: 10, textStyle: { width: LABEL_WIDTH, overflow: "truncate" } } };
}

/** `n` blues from pale (empty slices) to dark (full ones). */
function blueRamp(n: number): string[] {
  const [from, to] = [
    [198, 219, 239],
    [8, 48, 107],
  ];
  return Array.from({ length: n }, (_, i) => {
    const t = n === 1 ? 1 : i / (n - 1);
    return `rgb(${from.map((f, k) => Math.round(f + (to[k] - f) * t)).join(",")})`;
  });
}

function renderSvg(spec: ChartSpec, idPrefix: string): string {
  const chart = echarts().init(null, null, { renderer: "svg", ssr: true, width: WIDTH, height: spec.height });
  try {
    chart.setOption(spec.option);
    return localIds(chart.renderToSVGString(), idPrefix);
  } finally {
    chart.dispose();
  }
}

/**
 * zrender names ids and CSS classes `zr<instance>-…` from process-wide counters, so the same chart would come out
 * different the second time and two charts in one page could share names. Renames them per chart, in order of
 * appearance, inside tags and the style block only (text drawn from the results is never touched).
 */
function localIds(svg: string, prefix: string): string {
  const names = new Map<string, string>();
  const rename = (name: string): string => {
    let local = names.get(name);
    if (local === undefined) names.set(name, (local = `${prefix}-${names.size}`));
    return local;
  };
  return svg.replace(/<[^>]*>/g, (markup) => markup.replace(/\bzr\d+-[a-z]+-?\d+\b/g, rename));
}

interface CurveSet {
  unit: string;
  curves: { variant: string; points: [number, number][] }[];
}

function variantOrder(results: Results): string[] {
  return results.variants ?? [...new Set(results.rows.map((r) => r.variant))];
}

/** A catalogued scalar metric's value per variant, for the variants that have it (in run order). */
function scalar(results: Results, metric: MetricName): ReturnType<typeof scalarRows> {
  return scalarRows(results, metric);
}

/** scalar() for a name with its dimensions filled (metricName). */
function scalarRows(results: Results, metric: string): { unit: string; values: Map<string, number> } | undefined {
  const rows = new Map(results.rows.filter((r) => r.metric === metric).map((r) => [r.variant, r]));
  const variants = variantOrder(results).filter((v) => rows.has(v));
  if (variants.length === 0) return undefined;
  return { unit: rows.get(variants[0])!.unit, values: new Map(variants.map((v) => [v, rows.get(v)!.value])) };
}

/**
 * A catalog entry's rows as (x, value) points per variant, sorted by x; variants without any left out. The x is the
 * entry's one numeric dimension (`npl.latency_s@q{q}`: the quantile) or, for a series, the sample time.
 */
function curves(results: Results, name: MetricName): CurveSet | undefined {
  const series = metricSpec(name).kind === "series";
  const [base, rest] = series ? [name, "{t}s"] : name.split("@");
  const [prefix, suffix] = rest.split(/\{\w+\}/);
  const pattern = new RegExp(`^${escapeRegExp(base)}@${prefix}(\\d+(?:\\.\\d+)?)${suffix}$`);
  const byVariant = new Map<string, [number, number][]>();
  let unit = "";
  for (const r of results.rows) {
    const x = pattern.exec(r.metric)?.[1];
    if (x === undefined) continue;
    unit = r.unit;
    const points = byVariant.get(r.variant) ?? [];
    points.push([Number(x), r.value]);
    byVariant.set(r.variant, points);
  }
  const variants = variantOrder(results).filter((v) => byVariant.has(v));
  if (variants.length === 0) return undefined;
  return { unit, curves: variants.map((v) => ({ variant: v, points: byVariant.get(v)!.sort((a, b) => a[0] - b[0]) })) };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
