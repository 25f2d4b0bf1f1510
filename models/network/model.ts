/**
 * The network model in two parts that share nothing but their configuration, each on its own clock:
 * - the control plane (`runControlPlane`): the cluster's own machinery (pods, kubelets, scheduler,
 * ReplicaSet, Deployment, node lifecycle and taint eviction controllers: cluster-dynamics.ts) -> the EndpointSlice
 * and Endpoints controllers -> the apiserver (its body limit) -> etcd (the whole keyspace: pods, Nodes, Leases,
 * Events, Services, EndpointSlices, Endpoints) -> the apiserver's watch fan-out -> kube-proxy on every node, the
 * cluster DNS, the other Endpoints consumers and the controller's own informer;
 * - the DNS traffic (`runDns`): pods' lookups, the DNS placement's caches and CoreDNS, conntrack. It depends on the
 *   control plane only through which nodes are up, a function of the workload's zone outages.
 * So variants that differ only in what one part reads run that part once (`networkParts` names what each reads).
 */
import { lognormalMean } from "../../engine/random.js";
import { Histogram } from "../../engine/metrics.js";
import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import { ApiStore } from "../api-store.js";
import { Apiserver, buildCohorts, CONSUMER, DNS, INFORMER, KUBE_PROXY, type WatchedResource, type WatcherClass } from "../apiserver.js";
import { Cluster, type Service } from "../cluster/cluster.js";
import type { CountedKind } from "../cluster/pods.js";
import type { ModelContext } from "../context.js";
import type { EndpointsKind, WriteSink } from "../controllers/controller-base.js";
import { EndpointSliceController } from "../controllers/endpointslice-controller.js";
import { EndpointsController } from "../controllers/endpoints-controller.js";
import { getPackingAlgorithm } from "../controllers/packing/index.js";
import { apiWatchers, placementCost, type ClusterShape } from "../dns/placement.js";
import { getPlacement } from "../dns/placements/index.js";
import { DnsTraffic, type DnsFault } from "../dns/traffic.js";
import { ETCD_KINDS, Etcd, NumberedKeys, type KeyGroup } from "../etcd.js";
import { podName } from "../cluster/naming.js";
import { KubeProxyFleet } from "../kube-proxy.js";
import { ModelMetrics } from "../metrics.js";
import { NplSli } from "../npl-sli.js";
import { ClusterDynamics } from "./cluster-dynamics.js";
import type { NetworkConfig } from "./config.js";
import { KepSizer, ProtobufSizer, type ObjectBytes, type ObjectSizer } from "./object-bytes.js";
import { endpointsSource, endpointsTruncation } from "./versions.js";
import { selectServices, Workload } from "./workload.js";

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

/** Quantiles exported for CDF charts. */
const CDF_QUANTILES = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1];
const FILL_BUCKETS = 10;
const CLASS_NAMES: Record<WatcherClass, string> = { [KUBE_PROXY]: "kube_proxy", [DNS]: "dns", [CONSUMER]: "endpoints_consumers", [INFORMER]: "controller" };

/** Sums of the current objects' watch event sizes per resource, as each watcher class receives them (relists). */
class ListBytes {
  private readonly proxy = new Map<WatchedResource, number>();
  private readonly dns = new Map<WatchedResource, number>();
  private readonly proto = new Map<WatchedResource, number>();

  change(resource: WatchedResource, proxied: boolean, before: ObjectBytes | undefined, after: ObjectBytes | undefined): void {
    const add = (m: Map<WatchedResource, number>, d: number): void => void m.set(resource, (m.get(resource) ?? 0) + d);
    if (proxied) add(this.proxy, (after?.proxyEvent ?? 0) - (before?.proxyEvent ?? 0));
    add(this.dns, (after?.dnsEvent ?? 0) - (before?.dnsEvent ?? 0));
    add(this.proto, (after?.event ?? 0) - (before?.event ?? 0));
  }

  of(resource: WatchedResource, cls: WatcherClass): number {
    const m = cls === KUBE_PROXY ? this.proxy : cls === DNS ? this.dns : this.proto;
    return m.get(resource) ?? 0;
  }
}

/** The keys of the two parts: variants with equal keys have equal results for that part. */
export function networkParts(config: NetworkConfig): { controlPlane: string; dns: string } {
  const placement = getPlacement(config.dns.placement);
  const watch = apiWatchers(placement, clusterShape(config));
  const { dns, ...rest } = config;
  return {
    // the control plane sees the DNS servers only as watchers of the API
    controlPlane: JSON.stringify({ ...rest, dns: { contentType: dns.contentType, watchers: watch } }),
    dns: JSON.stringify({
      dns,
      cluster: { nodes: config.cluster.nodes, zones: config.cluster.zones, coresPerNode: config.cluster.coresPerNode, podsPerNode: config.cluster.podsPerNode },
      kubeProxyMode: config.kubeProxy.mode,
      duration: config.duration,
      interval: config.metrics.interval,
      outages: config.workload.filter(
        (w) => w.action === "zone-outage" || w.action === "dns-rollout" || w.action === "coredns-loss" || w.action === "dns-cache-oom",
      ),
    }),
  };
}

function clusterShape(config: NetworkConfig): ClusterShape {
  const c = config.cluster;
  const services = c.services.reduce((n, g) => n + g.count, 0);
  // the endpoints CoreDNS caches: the Services' backends as the run starts (growth and shrink are not followed); a
  // lognormal spread of replicas counts at its mean
  const meanReplicas = (r: (typeof c.services)[number]["replicas"]): number => (typeof r === "number" ? r : lognormalMean(r.median, r.p99));
  const endpoints = Math.round(c.services.reduce((n, g) => n + g.count * meanReplicas(g.replicas), 0));
  return {
    nodes: c.nodes,
    coresPerNode: c.coresPerNode,
    zones: c.zones,
    pods: c.nodes * c.podsPerNode,
    services,
    endpoints,
    centralReplicas: config.dns.servers,
    corednsCores: config.dns.corednsCores,
    corednsMemoryLimitMiB: config.dns.corednsMemoryLimit / 1024 ** 2,
  };
}

export function runControlPlane(config: NetworkConfig, ctx: ModelContext): void {
  const { sim, rng } = ctx;
  const out = new ModelMetrics(ctx.metrics);
  const version = config.kubernetesVersion;
  const cluster = new Cluster(config.cluster, rng.stream("cluster/placement"), rng.stream("cluster/replicas"));
  cluster.populate(0);

  // ---- etcd and the apiserver's storage ----
  const etcd = new Etcd({ maxRequestBytes: config.etcd.maxRequestBytes, quotaBytes: config.etcd.quotaBytes }, config.etcd.startRevision);
  etcd.now = () => sim.now;
  const store = new ApiStore(etcd, config.apiserver.maxRequestBodyBytes);
  const real = new ProtobufSizer(cluster, config.objects.managedFields, config.kubeProxy.contentType === "json", config.dns.contentType === "json");
  const sizer: ObjectSizer = config.objects.sizeModel === "kep-752" ? new KepSizer(config.objects.bytesPerEndpoint, real) : real;
  const objects = real.clusterObjects();
  const groups = seedKeyspace(etcd, cluster, objects, config);
  // backend pods: numbered by pod id, their keys never built
  const pods = new NumberedKeys(etcd, "pods");

  // ---- watchers ----
  const npl = new Histogram("npl", "s", { scale: 1e6 });
  const nplSli = new NplSli(config.duration);
  const cohorts = buildCohorts(cluster.nodes, (n) => cluster.nodeZone[n], cluster.zones, config.kubeProxy.cohortSize);
  const phaseRng = rng.stream("kube-proxy/full-sync-phase");
  const proxies = new KubeProxyFleet(
    cohorts.count,
    config.kubeProxy,
    { pooled: npl, windowed: nplSli },
    () => -Math.floor(phaseRng.uniform() * config.kubeProxy.fullSyncPeriod),
    cohorts.weight,
  );
  // Cluster DNS: the placement decides which instances hold API watches
  const placement = getPlacement(config.dns.placement);
  const dnsWatch = apiWatchers(placement, clusterShape(config));
  const dnsWatchesPods = dnsWatch.byResource.pods > 0;
  const source = endpointsSource(version);
  const lists = new ListBytes();
  const apiserver = new Apiserver(
    sim,
    {
      replicas: config.apiserver.replicas,
      egressBytesPerSecond: config.apiserver.egressBytesPerSecond,
      bufferEvents: config.apiserver.watchBufferEvents,
      relistDelay: config.apiserver.relistDelay,
      cacheWindow: config.apiserver.cacheWindow,
      dispatchDelay: config.apiserver.dispatchDelay,
      // with kube-proxy cohorts the run already trades per-node timing for speed; DNS servers follow
      groupDnsWatchers: config.kubeProxy.cohortSize > 1,
      localInformer: config.controller.informer === "local",
    },
    cohorts,
    {
      kubeProxy: [source, "services"],
      dnsServers: dnsWatch.instances,
      dns: dnsWatchesPods ? [source, "services", "pods"] : [source, "services"],
      endpointsConsumers: config.cluster.endpointsConsumers,
      controllerInformer: true,
    },
    proxies,
    (resource, cls) => lists.of(resource, cls),
  );

  // ---- the endpoints controllers ----
  const sink: WriteSink = {
    committed: (svc, bytes, trigger, kind, deleted) =>
      apiserver.publish({
        resource: kind,
        proxyBytes: bytes.proxyEvent,
        dnsBytes: bytes.dnsEvent,
        bytes: bytes.event,
        proxied: !svc.headless,
        trigger,
        service: svc.index,
        deleted,
      }),
    objectChanged: (svc, kind: EndpointsKind, before, after) => lists.change(kind, !svc.headless, before, after),
  };
  const kcm = config.controllerManager;
  const queueConfig = {
    batchPeriod: config.controller.batchPeriod,
    workers: config.controller.workers,
    qps: kcm.qps,
    burst: kcm.burst,
    writeLatency: config.apiserver.writeLatency,
    syncBase: config.controller.syncBase,
    syncPerEndpoint: config.controller.syncPerEndpoint,
  };
  const slices = new EndpointSliceController(sim, cluster, store, sizer, sink, getPackingAlgorithm(config.controller.algorithm), {
    ...queueConfig,
    maxEndpointsPerSlice: config.controller.maxEndpointsPerSlice,
    options: config.controller.algorithmOptions,
  });
  const endpoints = new EndpointsController(sim, cluster, store, sizer, sink, { ...queueConfig, truncate: endpointsTruncation(version) });
  // the controller sees its own writes through its informer, a watch like any other
  apiserver.attachInformer(slices.informer);
  slices.watched = true;

  // Time zero: the cluster as it stands, in etcd, with no writes counted.
  const absent = new Set<number>();
  for (const sel of config.cluster.absentServices) for (const svc of selectServices(cluster, sel)) absent.add(svc.index);
  for (const svc of cluster.services) {
    if (absent.has(svc.index)) {
      slices.setAbsent(svc.index);
      endpoints.setAbsent(svc.index);
    } else {
      const bytes = real.service(svc);
      etcd.seed(serviceKey(svc), bytes.stored, "services");
      lists.change("services", !svc.headless, undefined, bytes);
    }
    const podBytes = real.pod(svc);
    const keyLength = podKeyLength(svc);
    for (const p of svc.pods) pods.seed(p, keyLength, podBytes.stored);
  }
  slices.seed();
  endpoints.seed();

  // ---- the cluster's own machinery and the workload ----
  const eventsTtl = new EventsTtl(sim, etcd, groups.events, config.events.ttl, config.kubelet.leaseRenewInterval, config.events.rate, config.duration);
  const dynamics = new ClusterDynamics(sim, cluster, rng, config, {
    podWritten(pod, endpoint, trigger) {
      const svc = cluster.services[cluster.podService[pod]];
      const bytes = real.pod(svc);
      if (pods.write(pod, podKeyLength(svc), bytes.stored) === "ok" && dnsWatchesPods) {
        // autopath's CoreDNS watches every pod (`pods verified`): DNS-only events
        apiserver.publish({ resource: "pods", proxyBytes: 0, dnsBytes: bytes.dnsEvent, bytes: bytes.event, proxied: false, trigger: Number.NaN });
      }
      if (endpoint) {
        slices.podChanged(svc.index, pod, trigger);
        endpoints.podChanged(svc.index, pod, trigger);
      }
    },
    podRemoved(pod) {
      const svc = cluster.services[cluster.podService[pod]];
      const bytes = real.pod(svc);
      const keyLength = podKeyLength(svc);
      pods.write(pod, keyLength, bytes.stored);
      pods.delete(pod, keyLength);
      if (dnsWatchesPods)
        apiserver.publish({ resource: "pods", proxyBytes: 0, dnsBytes: 2 * bytes.dnsEvent, bytes: 2 * bytes.event, proxied: false, trigger: Number.NaN });
      slices.podChanged(svc.index, pod, Number.NaN);
      endpoints.podChanged(svc.index, pod, Number.NaN);
    },
    counted(kind: CountedKind, count: number) {
      if (kind === "events") {
        eventsTtl.created(etcd.createInGroup(groups.events, count));
        return;
      }
      etcd.overwriteInGroup(groups[kind], count);
      if (kind === "pods" && dnsWatchesPods) {
        apiserver.publish({
          resource: "pods",
          proxyBytes: 0,
          dnsBytes: objects.pod.dnsEvent,
          bytes: objects.pod.event,
          proxied: false,
          trigger: Number.NaN,
          count,
        });
      }
    },
    nodeUp(node, up) {
      apiserver.setNodeUp(node, up);
    },
  });
  const workload = new Workload(sim, dynamics, rng, {
    serviceCreated(service) {
      const svc = cluster.services[service];
      const bytes = real.service(svc);
      if (etcd.write(serviceKey(svc), bytes.stored, "services") === "ok") {
        lists.change("services", !svc.headless, undefined, bytes);
        // a Service carries no trigger annotation
        apiserver.publish({
          resource: "services",
          proxyBytes: bytes.proxyEvent,
          dnsBytes: bytes.dnsEvent,
          bytes: bytes.event,
          proxied: !svc.headless,
          trigger: Number.NaN,
        });
      }
      slices.created(service);
      endpoints.created(service);
    },
  });
  workload.start(config.workload);

  // kube-proxy prices syncs at the ruleset of the moment, refreshed every metrics interval
  const refreshRuleset = (): void => {
    const counts = cluster.endpointCounts();
    proxies.setRuleset(counts.proxiedServices * Math.max(1, averagePorts(cluster)), counts.proxied);
  };
  refreshRuleset();
  const interval = config.metrics.interval;
  const tick = (): void => {
    refreshRuleset();
    if (sim.now + interval <= config.duration) sim.after(interval, tick);
  };
  sim.schedule(interval, tick);

  // The apiserver compacts etcd every interval, to the revision it saw at the previous tick (keeps one interval).
  let compactTo = etcd.revision;
  const compactor = (): void => {
    etcd.compact(compactTo);
    compactTo = etcd.revision;
    if (sim.now + config.etcd.compactionInterval <= config.duration) sim.after(config.etcd.compactionInterval, compactor);
  };
  sim.schedule(config.etcd.compactionInterval, compactor);

  out.series("etcd.db_size", () => Math.round(etcd.dbTotalBytes));
  out.series("watch.bytes.cumulative", () => apiserver.bytes);
  out.series("apiserver.egress_backlog", () => apiserver.currentBacklog() / 1e6);
  out.sampleEvery(sim, interval, config.duration);

  // Per-phase deltas: a phase runs from its step's start to the next step's (or the end).
  const totals = (): Totals => ({
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
  });
  const marks: { name: string; at: Micros; totals?: Totals; npl?: Histogram }[] = [...workload.phases].sort((a, b) => a.at - b.at);
  for (const m of marks) {
    m.npl = new Histogram(`phase.${m.name}.npl`, "s", { scale: 1e6 });
    sim.schedule(m.at, () => (m.totals = totals()));
  }
  proxies.phases = { starts: marks.map((m) => m.at), histograms: marks.map((m) => m.npl!) };

  const fraction = (): void => ctx.progress(sim.now / Math.max(1, config.duration));
  sim.run({ until: config.duration, onProgress: fraction, progressEvery: 1 << 14 });
  proxies.finish();
  const end = totals();

  // ---- results ----
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

  marks.forEach((m, i) => {
    const from = m.totals;
    const to = marks[i + 1]?.totals ?? end;
    if (from === undefined || to === undefined) return;
    const phase = { phase: m.name };
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
    out.put("phase.{phase}.npl.p50_s", m.npl!.percentile(50), phase);
    out.put("phase.{phase}.npl.p99_s", m.npl!.percentile(99), phase);
  });
}

/**
 * The DNS traffic of the cluster: every pod's lookups through the placement's caches and servers, with the DNS faults
 * of the workload and the nodes its zone outages take down (down from the step's start for its duration).
 */
export function runDns(config: NetworkConfig, ctx: ModelContext): void {
  const { sim, rng } = ctx;
  const out = new ModelMetrics(ctx.metrics);
  const placement = getPlacement(config.dns.placement);
  const shape = clusterShape(config);
  const cost = placementCost(placement, shape);
  out.put("dns.placement.instances", cost.instances);
  out.put("dns.api_watchers", apiWatchers(placement, shape).instances);
  out.put("dns.cpu_request_cores", cost.cpuRequestMillicores / 1000);
  if (config.dns.lookupsPerPodPerSecond <= 0) return;
  const nodesUp = nodesUpTimeline(config);
  const dns = startDns(sim, config, placement, () => nodesUp(sim.now), rng);
  out.series("dns.coredns_qps", () => dns.centralQps);
  out.series("conntrack.entries.max_node", () => dns.maxConntrackNow);
  out.sampleEvery(sim, config.metrics.interval, config.duration);
  sim.run({ until: config.duration, onProgress: () => ctx.progress(sim.now / Math.max(1, config.duration)), progressEvery: 1 << 14 });

  const traced = Math.max(1, dns.traced);
  out.put("dns.queries_per_lookup", dns.queriesPerLookup);
  out.put("dns.upstream_qps.max", dns.peakCentralQps);
  out.put("dns.external_qps.max", dns.peakExternalQps);
  out.put("dns.latency.p50_ms", dns.latency.percentile(50));
  out.put("dns.latency.p99_ms", dns.latency.percentile(99));
  out.put("dns.latency.p999_ms", dns.latency.percentile(99.9));
  out.put("dns.latency.max_ms", dns.latency.max);
  for (const q of CDF_QUANTILES) out.put("dns.latency_ms@q{q}", dns.latency.percentile(q * 100), { q });
  out.put("dns.lookups", Math.round(dns.lookups));
  out.put("dns.traced_lookups", dns.traced);
  out.put("dns.sample_rate", config.dns.sampleRate);
  // failures and race timeouts are counted on the traced lookups and scaled to all lookups
  out.put("dns.failures", Math.round((dns.tracedFailures / traced) * dns.lookups));
  out.put("dns.race_timeouts", Math.round((dns.tracedRaceTimeouts / traced) * dns.lookups));
  out.put(
    "dns.coredns.replicas",
    placement
      .components(shape)
      .filter((g) => g.component === "coredns")
      .reduce((n, g) => n + g.count, 0),
  );
  out.put("dns.coredns.dropped_queries", Math.round(dns.corednsDropped));
  out.put("dns.cpu_cores", dns.cpuCoreSeconds / (config.duration / 1e6));
  out.put("dns.memory_bytes", Math.round(cost.memoryMB * 1e6));
  const coredns = placement.components(shape).find((g) => g.component === "coredns");
  if (coredns !== undefined) {
    out.put("dns.coredns.memory_bytes", Math.round(coredns.memoryMB * 1e6));
    out.put("dns.coredns.memory_limit_bytes", (coredns.memoryLimitMiB ?? 0) * 1024 ** 2);
  }
  out.put("dns.coredns.oom_kills", dns.oomKills);
  out.put("conntrack.peak_entries.max_node", Math.round(dns.peakConntrack));
  out.put("conntrack.drops", Math.round(dns.conntrackDrops));
}

/** Nodes up at a time: all but those of zones a zone-outage step holds down, from its start for its duration. */
function nodesUpTimeline(config: NetworkConfig): (t: Micros) => number {
  const { nodes, zones } = config.cluster;
  const zoneSize = (z: number): number => Math.floor(nodes / zones) + (z < nodes % zones ? 1 : 0);
  const outages = config.workload.filter((w) => w.action === "zone-outage");
  return (t) => {
    const down = new Set<number>();
    for (const o of outages) if (o.at <= t && t < o.at + o.duration && o.zone < zones) down.add(o.zone);
    let n = nodes;
    for (const z of down) n -= zoneSize(z);
    return n;
  };
}

function serviceKey(svc: Service): string {
  return `/registry/services/specs/${svc.namespace}/${svc.name}`;
}

/** The length of `/registry/pods/<namespace>/<pod name>`: a Service's pods' names are all as long. */
function podKeyLength(svc: Service): number {
  let n = podKeyLengths.get(svc);
  if (n === undefined) {
    n = `/registry/pods/${svc.namespace}/`.length + podName(svc.name.replace("-service-", "-deployment-"), 0).length;
    podKeyLengths.set(svc, n);
  }
  return n;
}

const podKeyLengths = new WeakMap<Service, number>();

/** The keys the model counts instead of following: pods that back no Service, Nodes, Leases, Events. */
function seedKeyspace(etcd: Etcd, cluster: Cluster, o: ReturnType<ProtobufSizer["clusterObjects"]>, config: NetworkConfig): Record<CountedKind, KeyGroup> {
  return {
    pods: etcd.seedGroup("pods", o.podKey, cluster.otherPods(), o.pod.stored),
    nodes: etcd.seedGroup("nodes", o.nodeKey, cluster.nodes, o.node),
    leases: etcd.seedGroup("leases", o.leaseKey, cluster.nodes, o.lease),
    // the background Events of the last TTL (the run's own Events come on top)
    events: etcd.seedGroup("events", o.eventKey, Math.round((config.events.rate * config.events.ttl) / 1e6), o.event),
  };
}

/**
 * Events live `ttl` (kube-apiserver --event-ttl: they are written with an etcd lease of that TTL) and are then
 * deleted; counted per `step`. Background Events arrive at `rate` per second.
 */
class EventsTtl {
  private readonly buckets: number[] = [];
  private current = 0;

  constructor(
    private readonly sim: Simulation,
    private readonly etcd: Etcd,
    private readonly group: KeyGroup,
    ttl: Micros,
    step: Micros,
    rate: number,
    duration: Micros,
  ) {
    const lag = Math.max(1, Math.round(ttl / step));
    let tickIndex = 0;
    const tick = (): void => {
      this.buckets.push(this.current);
      this.current = 0;
      tickIndex++;
      if (tickIndex > lag) this.etcd.deleteInGroup(this.group, this.buckets[tickIndex - 1 - lag]);
      if (rate > 0) this.created(this.etcd.createInGroup(this.group, Math.round((rate * step) / 1e6)));
      if (this.sim.now + step <= duration) this.sim.after(step, tick);
    };
    sim.schedule(step, tick);
  }

  created(count: number): void {
    this.current += count;
  }
}

function startDns(
  sim: Simulation,
  config: NetworkConfig,
  placement: ReturnType<typeof getPlacement>,
  nodesUp: () => number,
  rng: ModelContext["rng"],
): DnsTraffic {
  const c = config.cluster;
  const dns = new DnsTraffic(
    sim,
    { nodes: c.nodes, zones: c.zones, coresPerNode: c.coresPerNode, podsPerNode: c.podsPerNode, nodesUp },
    {
      placement,
      kubeProxyMode: config.kubeProxy.mode === "ipvs" ? "ipvs" : "iptables",
      resolver: config.dns.resolver,
      lookupsPerPodPerSecond: config.dns.lookupsPerPodPerSecond,
      mix: config.dns.mix,
      namesPerNode: config.dns.namesPerNode,
      externalNames: config.dns.externalNames,
      hostSearchDomains: config.dns.hostSearchDomains,
      kernel: config.dns.kernel,
      corednsReplicas: placement.firstTier === "node-coredns" && placement.clusterUpstream === null ? 0 : config.dns.servers,
      shape: clusterShape(config),
      step: config.dns.step,
      sampleRate: config.dns.sampleRate,
      latencyMs: config.dns.latencyMs,
      externalTtlS: config.dns.externalTtl / 1e6,
    },
    rng.stream("dns/trace"),
  );
  const faults: DnsFault[] = [];
  for (const w of config.workload) {
    if (w.action === "dns-rollout") faults.push({ kind: "rollout", at: w.at, maxUnavailable: placement.rolloutMaxUnavailable ?? 0, window: w.window });
    else if (w.action === "coredns-loss") faults.push({ kind: "coredns-loss", at: w.at, replicas: w.replicas, duration: w.duration });
    else if (w.action === "dns-cache-oom") faults.push({ kind: "cache-oom", at: w.at, nodes: w.nodes, window: w.window });
  }
  dns.start(config.duration, faults);
  return dns;
}

function averagePorts(cluster: Cluster): number {
  if (cluster.services.length === 0) return 1;
  let ports = 0;
  for (const s of cluster.services) ports += s.ports.length;
  return ports / cluster.services.length;
}
