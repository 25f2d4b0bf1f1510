/** What the control plane reports: its sampled series, per-phase deltas and end-of-run metrics, by catalog name. */
import { Histogram } from "../../engine/metrics.js";
import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import { CONSUMER, DNS, INFORMER, KUBE_PROXY, type WatcherClass } from "../apiserver.js";
import { ETCD_KINDS } from "../etcd.js";
import type { ModelMetrics } from "../metrics.js";
import type { ControlPlane } from "./control-plane.js";
import type { NetworkConfig } from "./config.js";

/** Quantiles exported for CDF charts. */
export const CDF_QUANTILES = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1];
const FILL_BUCKETS = 10;
const CLASS_NAMES: Record<WatcherClass, string> = { [KUBE_PROXY]: "kube_proxy", [DNS]: "dns", [CONSUMER]: "endpoints_consumers", [INFORMER]: "controller" };

/** The series sampled every metrics interval. */
export function sampleControlPlane(out: ModelMetrics, cp: ControlPlane, sim: Simulation, config: NetworkConfig): void {
  const { etcd, apiserver } = cp;
  const interval = config.metrics.interval;
  out.series("etcd.db_size", () => Math.round(etcd.dbTotalBytes));
  out.series("watch.bytes.cumulative", () => apiserver.bytes);
  out.series("apiserver.egress_backlog", () => apiserver.currentBacklog() / 1e6);
  out.sampleEvery(sim, interval, config.duration);
}

interface Totals {
  watchBytes: number;
  watchEvents: number;
  proxyEvents: number;
  proxyBytes: number;
  etcdWrites: number;
  etcdWriteBytes: number;
  sliceWrites: number;
  endpointsWrites: number;
  syncs: number;
  nplSamples: number;
}

/** Per-phase deltas: a phase runs from its workload step's start to the next step's (or the end of the run). */
export class PhaseTotals {
  private readonly marks: { name: string; at: Micros; totals?: Totals; npl: Histogram }[];
  private end: Totals | undefined;

  constructor(
    sim: Simulation,
    private readonly cp: ControlPlane,
  ) {
    this.marks = [...cp.workload.phases].sort((a, b) => a.at - b.at).map((p) => ({ ...p, npl: new Histogram(`phase.${p.name}.npl`, "s", { scale: 1e6 }) }));
    for (const m of this.marks) sim.schedule(m.at, () => (m.totals = this.totals()));
    cp.proxies.phases = { starts: this.marks.map((m) => m.at), histograms: this.marks.map((m) => m.npl) };
  }

  /** Closes the last phase: call when the run has ended. */
  finish(): void {
    this.end = this.totals();
  }

  private totals(): Totals {
    const { apiserver, etcd, proxies } = this.cp;
    return {
      watchBytes: apiserver.bytes,
      watchEvents: apiserver.deliveries,
      proxyEvents: apiserver.classDeliveries[KUBE_PROXY],
      proxyBytes: apiserver.classBytes[KUBE_PROXY],
      etcdWrites: etcd.stats.writes,
      etcdWriteBytes: etcd.stats.writeBytes,
      sliceWrites: etcd.byKind.endpointslices.writes,
      endpointsWrites: etcd.byKind.endpoints.writes,
      syncs: proxies.syncs,
      nplSamples: proxies.samples,
    };
  }

  report(out: ModelMetrics): void {
    this.marks.forEach((m, i) => {
      const from = m.totals;
      const to = this.marks[i + 1]?.totals ?? this.end;
      if (from === undefined || to === undefined) return;
      const phase = { phase: m.name };
      out.put("phase.{phase}.start_s", m.at / 1e6, phase);
      out.put("phase.{phase}.watch.bytes", to.watchBytes - from.watchBytes, phase);
      out.put("phase.{phase}.watch.events", to.watchEvents - from.watchEvents, phase);
      out.put("phase.{phase}.watch.events.kube_proxy", to.proxyEvents - from.proxyEvents, phase);
      out.put("phase.{phase}.watch.bytes.kube_proxy", to.proxyBytes - from.proxyBytes, phase);
      out.put("phase.{phase}.etcd.writes", to.etcdWrites - from.etcdWrites, phase);
      out.put("phase.{phase}.etcd.write_bytes", to.etcdWriteBytes - from.etcdWriteBytes, phase);
      out.put("phase.{phase}.etcd.writes.endpointslices", to.sliceWrites - from.sliceWrites, phase);
      out.put("phase.{phase}.etcd.writes.endpoints", to.endpointsWrites - from.endpointsWrites, phase);
      out.put("phase.{phase}.kubeproxy.syncs", to.syncs - from.syncs, phase);
      out.put("phase.{phase}.npl.samples", to.nplSamples - from.nplSamples, phase);
      // NPL of the changes made during the phase (by trigger time), wherever they were programmed
      out.put("phase.{phase}.npl.p50_s", m.npl.percentile(50), phase);
      out.put("phase.{phase}.npl.p99_s", m.npl.percentile(99), phase);
    });
  }
}

/** The end-of-run metrics, then the phases'. */
export function collectControlPlaneMetrics(out: ModelMetrics, cp: ControlPlane, phases: PhaseTotals, config: NetworkConfig): void {
  const { cluster, etcd, store, apiserver, slices, endpoints, proxies, dynamics, npl, nplSli, groups } = cp;
  out.put("objects.endpoints.max_bytes", endpoints.counters.maxObjectBytes);
  out.put("objects.endpointslice.max_bytes", slices.counters.maxObjectBytes);
  out.put("etcd.writes", etcd.stats.writes);
  out.put("etcd.write_bytes", etcd.stats.writeBytes);
  out.put("etcd.db_bytes.max", Math.round(etcd.dbTotalBytes));
  out.put("etcd.rejected_writes", etcd.stats.rejectedTooLarge + etcd.stats.rejectedNoSpace);
  out.put("apiserver.rejected_requests.too_large", store.rejectedTooLarge);
  out.put("watch.events", apiserver.deliveries);
  out.put("watch.bytes", apiserver.bytes);
  for (const cls of [KUBE_PROXY, DNS, CONSUMER, INFORMER] as WatcherClass[]) {
    out.put("watch.events.{watcher}", apiserver.classDeliveries[cls], { watcher: CLASS_NAMES[cls] });
    out.put("watch.bytes.{watcher}", apiserver.classBytes[cls], { watcher: CLASS_NAMES[cls] });
  }
  out.put("watch.bytes.per_node.max", apiserver.maxNodeBytes());
  out.put("watch.relists", apiserver.relists);
  out.put("kubeproxy.syncs", proxies.syncs);
  out.put("npl.p50_s", npl.percentile(50));
  out.put("npl.p99_s", npl.percentile(99));
  // ClusterLoader2's SLI: the p99 of the 5-minute-window p99s (no sample in the run: nothing to miss)
  const sli = nplSli.p99();
  out.put("npl.slo.p99_s", Number.isNaN(sli) ? 0 : sli);
  out.put("npl.slo_met", !(sli > config.slo.nplThreshold / 1e6) ? 1 : 0);
  out.put("npl.p90_s", npl.percentile(90));
  out.put("npl.max_s", npl.max);
  out.put("npl.samples", npl.count);
  out.put("npl.threshold_s", config.slo.nplThreshold / 1e6);
  // the distribution, for CDF charts: `<name>@q<quantile>` rows
  for (const q of CDF_QUANTILES) out.put("npl.latency_s@q{q}", npl.percentile(q * 100), { q });
  out.put("kubeproxy.full_syncs", proxies.fullSyncs);
  out.put("kubeproxy.dropped_trigger_times", proxies.droppedTriggers);
  out.put("kubeproxy.partial_sync_s", proxies.partialSyncDuration / 1e6);
  out.put("watch.relist_bytes", apiserver.relistBytes);
  out.put("watch.resumes", apiserver.resumes);
  out.put("watch.resent_events", apiserver.resentEvents);
  out.put("watch.serializations", apiserver.serializations);
  out.put("apiserver.egress_backlog.max_s", apiserver.maxBacklog / 1e6);
  for (const kind of ETCD_KINDS) {
    out.put("etcd.writes.{kind}", etcd.byKind[kind].writes, { kind });
    out.put("etcd.write_bytes.{kind}", etcd.byKind[kind].writeBytes, { kind });
  }
  out.put("etcd.rejected.too_large", etcd.stats.rejectedTooLarge);
  out.put("etcd.rejected.nospace", etcd.stats.rejectedNoSpace);
  out.put("etcd.nospace_alarm", etcd.noSpaceAlarm ? 1 : 0);
  if (etcd.noSpaceAlarm) out.put("etcd.nospace_at_s", etcd.noSpaceAt / 1e6);
  out.put("etcd.largest_object_bytes", etcd.stats.largestValueBytes);
  out.put("etcd.revisions", etcd.revision - config.etcd.startRevision);
  out.put("etcd.keys.pods", groups.pods.count + cluster.services.reduce((n, s) => n + s.pods.length, 0));

  const c = slices.counters;
  out.put("controller.syncs", c.syncs);
  out.put("controller.failed_syncs", c.failedSyncs);
  out.put("controller.creates", c.creates);
  out.put("controller.updates", c.updates);
  out.put("controller.deletes", c.deletes);
  out.put("controller.api_requests", slices.requests);
  let sliceCount = 0;
  let sliceEndpoints = 0;
  // slices by fill (endpoints / maxEndpointsPerSlice) in tenths: bucket i holds fills in ((i-1)/10, i/10]
  const fillBuckets = new Array<number>(FILL_BUCKETS + 1).fill(0);
  for (let s = 0; s < cluster.services.length; s++) {
    for (const st of slices.slicesOf(s)) {
      sliceCount++;
      sliceEndpoints += st.endpoints.length;
      fillBuckets[Math.ceil((st.endpoints.length / config.controller.maxEndpointsPerSlice) * FILL_BUCKETS)]++;
    }
  }
  out.put("endpointslice.count", sliceCount);
  out.put("endpointslice.fill.mean", sliceCount === 0 ? 0 : sliceEndpoints / (sliceCount * config.controller.maxEndpointsPerSlice));
  for (let i = 0; i <= FILL_BUCKETS; i++) out.put("endpointslice.fill.slices@le{le}", fillBuckets[i], { le: i / FILL_BUCKETS });
  out.put("endpointslice.endpoints_added", c.endpointsAdded);
  out.put("endpointslice.endpoints_removed", c.endpointsRemoved);
  // the endpoint_slice_controller_* metrics (pkg/controller/endpointslice/metrics), gauges summed over Services
  const sum = (a: Float64Array): number => a.reduce((x, y) => x + y, 0);
  out.put("endpointslice_controller.endpoints_desired", sum(slices.gauges.endpointsDesired));
  out.put("endpointslice_controller.num_endpoint_slices", sum(slices.gauges.numSlices));
  out.put("endpointslice_controller.desired_endpoint_slices", sum(slices.gauges.desiredSlices));
  out.put("endpointslice_controller.changes.create", c.creates);
  out.put("endpointslice_controller.changes.update", c.updates);
  out.put("endpointslice_controller.changes.delete", c.deletes);
  out.put("endpointslice_controller.syncs.success", c.syncs - c.failedSyncs - slices.staleSyncs);
  out.put("endpointslice_controller.syncs.error", c.failedSyncs);
  out.put("endpointslice_controller.syncs.stale", slices.staleSyncs);
  out.put("endpointslice_controller.endpointslices_changed_per_sync.count", slices.changedPerSync.count);
  out.put("endpointslice_controller.endpointslices_changed_per_sync.mean", slices.changedPerSync.mean);
  out.put("endpointslice_controller.endpointslices_changed_per_sync.p99", slices.changedPerSync.percentile(99));
  const e = endpoints.counters;
  out.put("endpoints_controller.syncs", e.syncs);
  out.put("endpoints_controller.failed_syncs", e.failedSyncs);
  out.put("endpoints_controller.writes", e.creates + e.updates);
  out.put("endpoints.truncated_writes", endpoints.truncatedWrites);

  const nl = dynamics.nodeLifecycle;
  const largest = nl.largestOutage();
  out.put("nodelifecycle.nodes_not_ready", nl.nodesNotReady);
  out.put("nodelifecycle.pods_marked_notready", nl.podsMarked);
  out.put("nodelifecycle.marking_duration_s", largest.duration / 1e6);
  out.put("nodelifecycle.taints", nl.taints);
  out.put("nodelifecycle.evictions", dynamics.taintEviction.evictions);
  out.put("nodelifecycle.events_dropped", nl.events.dropped + (dynamics.taintEvents === nl.events ? 0 : dynamics.taintEvents.dropped));
  out.put("replicaset.creates", dynamics.replicaSets.creates);
  out.put("replicaset.deletes", dynamics.replicaSets.deletes);
  out.put("scheduler.bindings", dynamics.scheduler.bindings);

  phases.report(out);
}
