/**
 * The metric catalog: every metric a model emits, defined once: its name, unit, which way is better, the part of the
 * model that emits it, and what it means. Models emit through `ModelMetrics` (a name not in the catalog does not
 * type-check), reports and gate rules find what they draw and compare here, the README's metric reference is generated
 * from it (`npm run docs:metrics`), and the order of the rows in results is the catalog's.
 *
 * A name may hold `{dimension}` placeholders (`etcd.writes.{kind}`). A `series` is sampled over time: rows
 * `<name>@<t>s` and `<name>.max`. Consecutive entries over the same dimensions form a block whose rows are ordered by
 * the dimension's values first (`watch.events.kube_proxy`, `watch.bytes.kube_proxy`, `watch.events.dns`, ...).
 */
import { globRegExp } from "../engine/glob.js";
import type { Metrics } from "../engine/metrics.js";
import type { Simulation } from "../engine/simulation.js";
import type { Micros } from "../engine/time.js";

export type MetricUnit = "bytes" | "count" | "s" | "ms" | "bool" | "ratio" | "cores" | "qps" | "entries" | "queries" | "events";
export type MetricFamily = "control-plane" | "dns" | "phold";
export type FailureSeverity = "slo" | "broken";

export interface MetricSpec {
  readonly name: string;
  readonly unit: MetricUnit;
  readonly family: MetricFamily;
  /** Which way is better; absent when neither is (a count of what the workload asked for, a setting echoed back). */
  readonly better?: "lower" | "higher";
  /** `series`: sampled every metrics interval (rows `@<t>s` and `.max`). */
  readonly kind?: "series";
  /**
   * When the value says the variant failed: "nonzero" (any rejected write, lookup failure, drop) or "zero" (a flag such
   * as npl.slo_met), the reason reports give (`{v}`: the value), and how badly: "broken" (the cluster lost writes or
   * lookups: its other figures are not comparable) ranks after "slo" (it worked, too slowly), which ranks after none.
   */
  readonly fails?: { readonly when: "nonzero" | "zero"; readonly reason: string; readonly severity: FailureSeverity };
  readonly meaning: string;
}

/** The values a dimension takes, in row order; `undefined`: in the order the model first emits them. */
export const DIMENSIONS: Readonly<Record<string, readonly string[] | "numeric" | undefined>> = {
  watcher: ["kube_proxy", "dns", "endpoints_consumers", "controller"],
  kind: ["pods", "nodes", "leases", "events", "services", "endpointslices", "endpoints"],
  phase: undefined,
  q: "numeric",
  le: "numeric",
};

const cp = "control-plane" as const;
const dns = "dns" as const;
const L = "lower" as const;
const H = "higher" as const;

export const METRICS = [
  // ---- control plane: series ----
  {
    name: "etcd.db_size",
    unit: "bytes",
    family: cp,
    better: L,
    kind: "series",
    meaning: "etcd's database size (live keys and the revisions not yet compacted)",
  },
  { name: "watch.bytes.cumulative", unit: "bytes", family: cp, better: L, kind: "series", meaning: "watch bytes the apiservers have sent so far" },
  { name: "apiserver.egress_backlog", unit: "s", family: cp, better: L, kind: "series", meaning: "time the apiservers' egress needs to send what is queued" },
  // ---- control plane: objects, etcd, watch ----
  { name: "objects.endpoints.max_bytes", unit: "bytes", family: cp, better: L, meaning: "largest Endpoints object written (etcd-stored bytes)" },
  { name: "objects.endpointslice.max_bytes", unit: "bytes", family: cp, better: L, meaning: "largest EndpointSlice written (etcd-stored bytes)" },
  { name: "etcd.writes", unit: "count", family: cp, better: L, meaning: "etcd writes of every kind (puts and deletes)" },
  { name: "etcd.write_bytes", unit: "bytes", family: cp, better: L, meaning: "bytes written to etcd" },
  { name: "etcd.db_bytes.max", unit: "bytes", family: cp, better: L, meaning: "largest etcd database size in the run" },
  {
    name: "etcd.rejected_writes",
    fails: { when: "nonzero", reason: "writes rejected by etcd: {v}", severity: "broken" },
    unit: "count",
    family: cp,
    better: L,
    meaning: "writes etcd refused (request too large, or NOSPACE)",
  },
  {
    name: "apiserver.rejected_requests.too_large",
    fails: { when: "nonzero", reason: "requests too large for the apiserver: {v}", severity: "broken" },
    unit: "count",
    family: cp,
    better: L,
    meaning: "requests the apiserver refused for their body size",
  },
  { name: "watch.events", unit: "count", family: cp, better: L, meaning: "watch events delivered to every watcher" },
  { name: "watch.bytes", unit: "bytes", family: cp, better: L, meaning: "watch bytes delivered to every watcher (the apiservers' egress)" },
  { name: "watch.events.{watcher}", unit: "count", family: cp, better: L, meaning: "watch events delivered to one class of watcher" },
  { name: "watch.bytes.{watcher}", unit: "bytes", family: cp, better: L, meaning: "watch bytes delivered to one class of watcher" },
  { name: "watch.bytes.per_node.max", unit: "bytes", family: cp, better: L, meaning: "watch bytes received by the busiest node" },
  { name: "watch.relists", unit: "count", family: cp, better: L, meaning: "watches that fell behind and relisted" },
  // ---- kube-proxy and network programming latency ----
  { name: "kubeproxy.syncs", unit: "count", family: cp, meaning: "kube-proxy rule syncs (all nodes)" },
  { name: "npl.p50_s", unit: "s", family: cp, better: L, meaning: "network programming latency, median over every node's changes" },
  { name: "npl.p99_s", unit: "s", family: cp, better: L, meaning: "network programming latency, 99th percentile over every node's changes" },
  { name: "npl.slo.p99_s", unit: "s", family: cp, better: L, meaning: "ClusterLoader2's SLI: the 99th percentile of the 5-minute windows' 99th percentiles" },
  {
    name: "npl.slo_met",
    fails: { when: "zero", reason: "NPL SLO missed", severity: "slo" },
    unit: "bool",
    family: cp,
    better: H,
    meaning: "1 when the SLI is within the SLO threshold",
  },
  { name: "npl.p90_s", unit: "s", family: cp, better: L, meaning: "network programming latency, 90th percentile" },
  { name: "npl.max_s", unit: "s", family: cp, better: L, meaning: "network programming latency, largest" },
  { name: "npl.samples", unit: "count", family: cp, meaning: "network programming latency samples (changes programmed, per node)" },
  { name: "npl.threshold_s", unit: "s", family: cp, meaning: "the SLO threshold the run was judged against" },
  { name: "npl.latency_s@q{q}", unit: "s", family: cp, better: L, meaning: "network programming latency at quantile q (the CDF)" },
  { name: "kubeproxy.full_syncs", unit: "count", family: cp, meaning: "kube-proxy full syncs (all nodes)" },
  {
    name: "kubeproxy.dropped_trigger_times",
    unit: "count",
    family: cp,
    meaning: "changes whose trigger time kube-proxy dropped (slice deleted before its sync)",
  },
  { name: "kubeproxy.partial_sync_s", unit: "s", family: cp, better: L, meaning: "time one partial sync takes at the run's final ruleset" },
  { name: "watch.relist_bytes", unit: "bytes", family: cp, better: L, meaning: "bytes sent to watchers that relisted" },
  { name: "watch.resumes", unit: "count", family: cp, better: L, meaning: "watches resumed from the watch cache after falling behind" },
  { name: "watch.resent_events", unit: "count", family: cp, better: L, meaning: "events sent again to resumed watches" },
  { name: "watch.serializations", unit: "count", family: cp, better: L, meaning: "objects the apiservers serialized for watchers" },
  { name: "apiserver.egress_backlog.max_s", unit: "s", family: cp, better: L, meaning: "largest egress backlog, in seconds of sending" },
  { name: "etcd.writes.{kind}", unit: "count", family: cp, better: L, meaning: "etcd writes of one kind of object" },
  { name: "etcd.write_bytes.{kind}", unit: "bytes", family: cp, better: L, meaning: "bytes written to etcd for one kind of object" },
  { name: "etcd.rejected.too_large", unit: "count", family: cp, better: L, meaning: "writes over etcd's --max-request-bytes" },
  { name: "etcd.rejected.nospace", unit: "count", family: cp, better: L, meaning: "writes refused after the NOSPACE alarm" },
  {
    name: "etcd.nospace_alarm",
    fails: { when: "nonzero", reason: "etcd ran out of space (NOSPACE)", severity: "broken" },
    unit: "bool",
    family: cp,
    better: L,
    meaning: "1 when etcd's database reached its quota",
  },
  { name: "etcd.nospace_at_s", unit: "s", family: cp, better: H, meaning: "when the NOSPACE alarm was raised (only when it was)" },
  { name: "etcd.largest_object_bytes", unit: "bytes", family: cp, better: L, meaning: "largest value etcd stored" },
  { name: "etcd.revisions", unit: "count", family: cp, better: L, meaning: "etcd revisions the run added" },
  { name: "etcd.keys.pods", unit: "count", family: cp, meaning: "pod keys in etcd at the end" },
  // ---- the EndpointSlice and Endpoints controllers ----
  { name: "controller.syncs", unit: "count", family: cp, meaning: "EndpointSlice controller Service syncs" },
  { name: "controller.failed_syncs", unit: "count", family: cp, better: L, meaning: "EndpointSlice controller syncs that failed (a write refused)" },
  { name: "controller.creates", unit: "count", family: cp, better: L, meaning: "EndpointSlices created" },
  { name: "controller.updates", unit: "count", family: cp, better: L, meaning: "EndpointSlices updated" },
  { name: "controller.deletes", unit: "count", family: cp, better: L, meaning: "EndpointSlices deleted" },
  { name: "controller.api_requests", unit: "count", family: cp, better: L, meaning: "EndpointSlice controller requests to the apiserver" },
  { name: "endpointslice.count", unit: "count", family: cp, better: L, meaning: "EndpointSlices at the end" },
  { name: "endpointslice.fill.mean", unit: "ratio", family: cp, meaning: "mean slice fill at the end (endpoints / maxEndpointsPerSlice)" },
  { name: "endpointslice.fill.slices@le{le}", unit: "count", family: cp, meaning: "slices whose fill is at most le (and above the bucket below)" },
  { name: "endpointslice.endpoints_added", unit: "count", family: cp, meaning: "endpoints added to slices" },
  { name: "endpointslice.endpoints_removed", unit: "count", family: cp, meaning: "endpoints removed from slices" },
  {
    name: "endpointslice_controller.endpoints_desired",
    unit: "count",
    family: cp,
    meaning: "upstream's endpoint_slice_controller_endpoints_desired, summed over Services",
  },
  { name: "endpointslice_controller.num_endpoint_slices", unit: "count", family: cp, meaning: "upstream's num_endpoint_slices, summed over Services" },
  { name: "endpointslice_controller.desired_endpoint_slices", unit: "count", family: cp, meaning: "upstream's desired_endpoint_slices, summed over Services" },
  { name: "endpointslice_controller.changes.create", unit: "count", family: cp, better: L, meaning: "upstream's endpointslices_changed{operation=create}" },
  { name: "endpointslice_controller.changes.update", unit: "count", family: cp, better: L, meaning: "upstream's endpointslices_changed{operation=update}" },
  { name: "endpointslice_controller.changes.delete", unit: "count", family: cp, better: L, meaning: "upstream's endpointslices_changed{operation=delete}" },
  { name: "endpointslice_controller.syncs.success", unit: "count", family: cp, meaning: "upstream's syncs{result=success}" },
  { name: "endpointslice_controller.syncs.error", unit: "count", family: cp, better: L, meaning: "upstream's syncs{result=error}" },
  { name: "endpointslice_controller.syncs.stale", unit: "count", family: cp, better: L, meaning: "upstream's syncs{result=stale}" },
  {
    name: "endpointslice_controller.endpointslices_changed_per_sync.count",
    unit: "count",
    family: cp,
    meaning: "syncs observed by endpointslices_changed_per_sync",
  },
  {
    name: "endpointslice_controller.endpointslices_changed_per_sync.mean",
    unit: "count",
    family: cp,
    better: L,
    meaning: "slices changed per sync, mean",
  },
  { name: "endpointslice_controller.endpointslices_changed_per_sync.p99", unit: "count", family: cp, better: L, meaning: "slices changed per sync, p99" },
  { name: "endpoints_controller.syncs", unit: "count", family: cp, meaning: "Endpoints controller Service syncs" },
  { name: "endpoints_controller.failed_syncs", unit: "count", family: cp, better: L, meaning: "Endpoints controller syncs that failed" },
  { name: "endpoints_controller.writes", unit: "count", family: cp, better: L, meaning: "Endpoints objects created or updated" },
  { name: "endpoints.truncated_writes", unit: "count", family: cp, meaning: "Endpoints writes truncated to 1,000 addresses (v1.22+)" },
  // ---- the cluster's own machinery ----
  { name: "nodelifecycle.nodes_not_ready", unit: "count", family: cp, meaning: "nodes the node lifecycle controller marked NotReady" },
  { name: "nodelifecycle.pods_marked_notready", unit: "count", family: cp, meaning: "pods marked NotReady on unreachable nodes" },
  { name: "nodelifecycle.marking_duration_s", unit: "s", family: cp, meaning: "time to mark the largest outage's pods NotReady" },
  { name: "nodelifecycle.taints", unit: "count", family: cp, meaning: "NoExecute taints applied" },
  { name: "nodelifecycle.evictions", unit: "count", family: cp, meaning: "pods evicted by the taint eviction controller" },
  { name: "nodelifecycle.events_dropped", unit: "count", family: cp, meaning: "Events the controllers' broadcasters dropped (rate limit)" },
  { name: "replicaset.creates", unit: "count", family: cp, meaning: "pods the ReplicaSet controller created" },
  { name: "replicaset.deletes", unit: "count", family: cp, meaning: "pods the ReplicaSet controller deleted" },
  { name: "scheduler.bindings", unit: "count", family: cp, meaning: "pods the scheduler bound" },
  // ---- per workload phase (a phase runs from its step's start to the next step's) ----
  { name: "phase.{phase}.start_s", unit: "s", family: cp, meaning: "when the phase's workload step starts (simulated time)" },
  { name: "phase.{phase}.watch.bytes", unit: "bytes", family: cp, better: L, meaning: "watch bytes during the phase" },
  { name: "phase.{phase}.watch.events", unit: "count", family: cp, better: L, meaning: "watch events during the phase" },
  { name: "phase.{phase}.watch.events.kube_proxy", unit: "count", family: cp, better: L, meaning: "watch events to kube-proxy during the phase" },
  { name: "phase.{phase}.watch.bytes.kube_proxy", unit: "bytes", family: cp, better: L, meaning: "watch bytes to kube-proxy during the phase" },
  { name: "phase.{phase}.etcd.writes", unit: "count", family: cp, better: L, meaning: "etcd writes during the phase" },
  { name: "phase.{phase}.etcd.write_bytes", unit: "bytes", family: cp, better: L, meaning: "bytes written to etcd during the phase" },
  { name: "phase.{phase}.etcd.writes.endpointslices", unit: "count", family: cp, better: L, meaning: "EndpointSlice writes during the phase" },
  { name: "phase.{phase}.etcd.writes.endpoints", unit: "count", family: cp, better: L, meaning: "Endpoints writes during the phase" },
  { name: "phase.{phase}.kubeproxy.syncs", unit: "count", family: cp, meaning: "kube-proxy syncs during the phase" },
  { name: "phase.{phase}.npl.samples", unit: "count", family: cp, meaning: "network programming latency samples of the phase's changes" },
  { name: "phase.{phase}.npl.p50_s", unit: "s", family: cp, better: L, meaning: "median latency of the changes made during the phase" },
  { name: "phase.{phase}.npl.p99_s", unit: "s", family: cp, better: L, meaning: "99th percentile latency of the changes made during the phase" },
  // ---- DNS ----
  { name: "dns.placement.instances", unit: "count", family: dns, better: L, meaning: "DNS server and cache instances the placement runs" },
  { name: "dns.api_watchers", unit: "count", family: dns, better: L, meaning: "DNS instances holding watches on the API" },
  { name: "dns.cpu_request_cores", unit: "cores", family: dns, better: L, meaning: "CPU the placement's pods request" },
  { name: "dns.coredns_qps", unit: "qps", family: dns, kind: "series", meaning: "queries per second at the central CoreDNS" },
  { name: "conntrack.entries.max_node", unit: "entries", family: dns, better: L, kind: "series", meaning: "conntrack entries on the fullest node" },
  { name: "dns.queries_per_lookup", unit: "queries", family: dns, better: L, meaning: "DNS queries per name lookup (search path expansion, A and AAAA)" },
  { name: "dns.upstream_qps.max", unit: "qps", family: dns, better: L, meaning: "peak queries per second at the central CoreDNS" },
  { name: "dns.external_qps.max", unit: "qps", family: dns, better: L, meaning: "peak queries per second to upstream resolvers" },
  { name: "dns.latency.p50_ms", unit: "ms", family: dns, better: L, meaning: "lookup latency, median" },
  { name: "dns.latency.p99_ms", unit: "ms", family: dns, better: L, meaning: "lookup latency, 99th percentile" },
  { name: "dns.latency.p999_ms", unit: "ms", family: dns, better: L, meaning: "lookup latency, 99.9th percentile" },
  { name: "dns.latency.max_ms", unit: "ms", family: dns, better: L, meaning: "lookup latency, largest" },
  { name: "dns.latency_ms@q{q}", unit: "ms", family: dns, better: L, meaning: "lookup latency at quantile q (the CDF)" },
  { name: "dns.lookups", unit: "count", family: dns, meaning: "name lookups by every pod" },
  { name: "dns.traced_lookups", unit: "count", family: dns, meaning: "lookups followed one by one (the sample)" },
  { name: "dns.sample_rate", unit: "ratio", family: dns, meaning: "fraction of lookups traced" },
  {
    name: "dns.failures",
    fails: { when: "nonzero", reason: "DNS lookups failed: {v}", severity: "broken" },
    unit: "count",
    family: dns,
    better: L,
    meaning: "lookups that failed (SERVFAIL or timeout), scaled from the sample",
  },
  { name: "dns.race_timeouts", unit: "count", family: dns, better: L, meaning: "lookups delayed 5 s by the conntrack insertion race, scaled" },
  { name: "dns.coredns.replicas", unit: "count", family: dns, meaning: "CoreDNS replicas" },
  { name: "dns.coredns.dropped_queries", unit: "count", family: dns, better: L, meaning: "queries CoreDNS dropped when over capacity" },
  { name: "dns.cpu_cores", unit: "cores", family: dns, better: L, meaning: "CPU the DNS servers and caches use, mean over the run" },
  { name: "dns.memory_bytes", unit: "bytes", family: dns, better: L, meaning: "memory of every DNS server and cache" },
  { name: "dns.coredns.memory_bytes", unit: "bytes", family: dns, better: L, meaning: "memory of one CoreDNS replica (its cache of the API)" },
  { name: "dns.coredns.memory_limit_bytes", unit: "bytes", family: dns, meaning: "CoreDNS's memory limit" },
  {
    name: "dns.coredns.oom_kills",
    fails: { when: "nonzero", reason: "CoreDNS OOM kills: {v}", severity: "broken" },
    unit: "count",
    family: dns,
    better: L,
    meaning: "CoreDNS OOM kills",
  },
  { name: "conntrack.max_entries", unit: "entries", family: dns, meaning: "a node's conntrack table size (kube-proxy's nf_conntrack_max)" },
  { name: "conntrack.peak_entries.max_node", unit: "entries", family: dns, better: L, meaning: "peak conntrack entries on the fullest node" },
  {
    name: "conntrack.drops",
    fails: { when: "nonzero", reason: "flows dropped by full conntrack tables: {v}", severity: "broken" },
    unit: "count",
    family: dns,
    better: L,
    meaning: "new flows dropped because a conntrack table was full",
  },
  // ---- PHOLD (the engine benchmark) ----
  { name: "phold.events", unit: "events", family: "phold", meaning: "events processed" },
  { name: "phold.remote_events", unit: "events", family: "phold", meaning: "events sent to another logical process" },
  { name: "phold.sim_time", unit: "s", family: "phold", meaning: "simulated time reached" },
  { name: "phold.lp_events.min", unit: "events", family: "phold", meaning: "events of the least busy logical process" },
  { name: "phold.lp_events.max", unit: "events", family: "phold", meaning: "events of the busiest logical process" },
  { name: "phold.pending_at_end", unit: "events", family: "phold", meaning: "events still scheduled when the run stopped" },
] as const satisfies readonly MetricSpec[];

export type MetricName = (typeof METRICS)[number]["name"];

/**
 * Why a variant failed, from its metrics (name -> value): one reason per failing catalog metric, in catalog order, with
 * the part of the model it belongs to (a DNS failure does not make a control-plane figure incomparable).
 */
export function failureReasons(values: ReadonlyMap<string, number>): { reason: string; severity: FailureSeverity; family: MetricFamily }[] {
  const out: { reason: string; severity: FailureSeverity; family: MetricFamily }[] = [];
  for (const m of METRICS as readonly MetricSpec[]) {
    if (m.fails === undefined) continue;
    const v = values.get(m.name);
    if (v === undefined) continue;
    if (m.fails.when === "nonzero" ? v !== 0 : v === 0)
      out.push({ reason: m.fails.reason.replace("{v}", v.toLocaleString("en-US")), severity: m.fails.severity, family: m.family });
  }
  return out;
}
type SeriesName = Extract<(typeof METRICS)[number], { kind: "series" }>["name"];
type ValueName = Exclude<MetricName, SeriesName>;

/** The `{dimension}` placeholders of a name. */
type DimensionsOf<S extends string> = S extends `${string}{${infer D}}${infer Rest}` ? D | DimensionsOf<Rest> : never;
type DimensionArgs<N extends string> = [DimensionsOf<N>] extends [never] ? [] : [dimensions: Record<DimensionsOf<N>, string | number>];

const BY_NAME = new Map<string, MetricSpec>(METRICS.map((m) => [m.name, m]));

export function metricSpec(name: MetricName): MetricSpec {
  return BY_NAME.get(name)!;
}

/** A catalog name with its placeholders filled: `metricName("etcd.writes.{kind}", { kind: "pods" })`. */
export function metricName<N extends MetricName>(name: N, ...[dimensions]: DimensionArgs<N>): string {
  if (dimensions === undefined) return name;
  return name.replace(/\{(\w+)\}/g, (_, d: string) => String((dimensions as Record<string, string | number>)[d]));
}

/** How a model emits: by catalog name, the unit taken from the catalog. */
export class ModelMetrics {
  constructor(private readonly metrics: Metrics) {}

  put<N extends ValueName>(name: N, value: number, ...dimensions: DimensionArgs<N>): void {
    const spec = BY_NAME.get(name)!;
    this.metrics.counter(metricName(name, ...dimensions), spec.unit).add(value);
  }

  series(name: SeriesName, sample: () => number): void {
    this.metrics.timeSeries(name, BY_NAME.get(name)!.unit, sample);
  }

  sampleEvery(sim: Simulation, interval: Micros, until: Micros): void {
    this.metrics.sampleEvery(sim, interval, until);
  }
}

// ---- reading rows back: which entry a row belongs to, and the catalog's row order ----

interface Matcher {
  spec: MetricSpec;
  index: number;
  block: number;
  regex: RegExp;
  dimensions: string[];
}

const DIMENSION_PATTERN: Record<string, string> = { q: "([0-9.e+-]+)", le: "([0-9.e+-]+)" };

function buildMatchers(): Matcher[] {
  let block = -1;
  let previous = "";
  return METRICS.map((spec, index) => {
    const dimensions = [...spec.name.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const signature = dimensions.join(",");
    if (signature === "" || signature !== previous) block++;
    previous = signature;
    const escaped = spec.name
      .split(/(\{\w+\})/)
      .map((part) => {
        const d = /^\{(\w+)\}$/.exec(part);
        if (d === null) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
        return DIMENSION_PATTERN[d[1]] ?? "([A-Za-z0-9_-]+)";
      })
      .join("");
    const suffix = "kind" in spec && spec.kind === "series" ? "(@[0-9.e+-]+s|\\.max)" : "";
    return { spec, index, block, regex: new RegExp(`^${escaped}${suffix}$`), dimensions };
  });
}

const MATCHERS = buildMatchers();

/** The catalog entry a result row's metric belongs to, and its dimension values; undefined when it is not catalogued. */
export function lookupMetric(row: string): MetricLookup | undefined {
  let found = lookups.get(row);
  if (found === undefined && !lookups.has(row)) {
    found = match(row);
    lookups.set(row, found);
  }
  return found;
}

interface MetricLookup {
  spec: MetricSpec;
  index: number;
  block: number;
  values: string[];
  point?: string;
}

const lookups = new Map<string, MetricLookup | undefined>();

function match(row: string): MetricLookup | undefined {
  for (const m of MATCHERS) {
    const match = m.regex.exec(row);
    if (match === null) continue;
    const values = match.slice(1, 1 + m.dimensions.length);
    const point = m.spec.kind === "series" ? match[1 + m.dimensions.length] : undefined;
    return { spec: m.spec, index: m.index, block: m.block, values, point };
  }
  return undefined;
}

/**
 * Rows in catalog order: by block, then by the block's dimension values (in the dimension's order; the order first
 * emitted for `phase`), then by entry; a series' points by time, then its `.max`. Throws on a metric not in the catalog.
 */
export function catalogOrder<T extends { metric: string }>(rows: readonly T[]): T[] {
  const firstSeen = new Map<string, number>();
  const keyed = rows.map((row, position) => {
    const found = lookupMetric(row.metric);
    if (found === undefined) throw new Error(`metric ${row.metric} is not in the metric catalog (models/metrics.ts)`);
    const m = MATCHERS[found.index];
    const ranks = found.values.map((v, i) => dimensionRank(m.dimensions[i], v, firstSeen));
    const point = found.point === undefined ? 0 : found.point === ".max" ? Number.POSITIVE_INFINITY : Number(found.point.slice(1, -1));
    return { row, block: m.block, ranks, index: m.index, point, position };
  });
  keyed.sort((a, b) => {
    if (a.block !== b.block) return a.block - b.block;
    for (let i = 0; i < a.ranks.length; i++) if (a.ranks[i] !== b.ranks[i]) return a.ranks[i] - b.ranks[i];
    if (a.index !== b.index) return a.index - b.index;
    if (a.point !== b.point) return a.point - b.point;
    return a.position - b.position;
  });
  return keyed.map((k) => k.row);
}

function dimensionRank(dimension: string, value: string, firstSeen: Map<string, number>): number {
  const order = DIMENSIONS[dimension];
  if (order === "numeric") return Number(value);
  if (order !== undefined) {
    const i = order.indexOf(value);
    if (i >= 0) return i;
  }
  const key = `${dimension}=${value}`;
  let rank = firstSeen.get(key);
  if (rank === undefined) {
    rank = 1000 + firstSeen.size;
    firstSeen.set(key, rank);
  }
  return rank;
}

/** Whether a gate or rank pattern (`*` for any run of characters) matches some catalogued metric. */
export function patternMatchesCatalog(pattern: string): boolean {
  if (!pattern.includes("*")) return lookupMetric(pattern) !== undefined;
  const glob = globRegExp(pattern);
  return METRICS.some((m) => exampleRows(m).some((row) => glob.test(row)));
}

/** Rows an entry produces, with every listed value of its dimensions (a sample one for the others). */
export function exampleRows(spec: MetricSpec): string[] {
  let names = [spec.name];
  for (const [, d] of spec.name.matchAll(/\{(\w+)\}/g)) {
    const order = DIMENSIONS[d];
    const values = Array.isArray(order) ? order : order === "numeric" ? ["0.5"] : ["rollout"];
    names = names.flatMap((n) => values.map((v) => n.replace(`{${d}}`, v)));
  }
  return spec.kind === "series" ? names.flatMap((n) => [`${n}@0s`, `${n}.max`]) : names;
}
