/**
 * The network control plane of one cluster, wired together: pods (workload) -> Endpoints or EndpointSlice controller
 * -> etcd -> apiserver watch fan-out -> kube-proxy on every node. Exports the metrics of the results table.
 */
import { Histogram } from "../../engine/metrics.js";
import type { Micros } from "../../engine/time.js";
import { Apiserver, buildCohorts } from "../apiserver.js";
import { Cluster, type Service } from "../cluster/cluster.js";
import type { ModelContext } from "../context.js";
import type { WriteSink } from "../controllers/controller-base.js";
import { EndpointSliceController } from "../controllers/endpointslice-controller.js";
import { EndpointsController } from "../controllers/endpoints-controller.js";
import { getPackingAlgorithm } from "../controllers/packing/index.js";
import { apiWatchers, placementCost, type ClusterShape } from "../dns/placement.js";
import { getPlacement } from "../dns/placements/index.js";
import { DnsTraffic, type DnsFault } from "../dns/traffic.js";
import { Etcd } from "../etcd.js";
import { KubeProxyFleet, PROXY_COSTS } from "../kube-proxy.js";
import type { NetworkConfig } from "./config.js";
import { KepSizer, ProtobufSizer, type ObjectSizer } from "./object-bytes.js";
import { selectServices, Workload, type PodEvent } from "./workload.js";

/**
 * Pod objects' own writes to etcd per lifecycle step (an assumption; the shape of a Deployment pod's life):
 * created = create + binding + status with its IP; Ready flips = a status update; deletion = the
 * deletionTimestamp update + the status of stopping containers; removal = the delete.
 */
const POD_WRITES: Record<PodEvent, number> = { created: 3, replaced: 3, ready: 1, "not-ready": 1, terminating: 2, removed: 0 };

interface Totals {
  watchBytes: number;
  watchEvents: number;
  etcdWrites: number;
  etcdWriteBytes: number;
  syncs: number;
  nplSamples: number;
  controllerWrites: number;
}

/** Quantiles exported for CDF charts. */
const CDF_QUANTILES = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1];
const FILL_BUCKETS = 10;

export function runNetwork(config: NetworkConfig, ctx: ModelContext): void {
  const { sim, rng, metrics } = ctx;
  const cluster = new Cluster(config.cluster, rng.stream("cluster/placement"), rng.stream("cluster/replicas"));
  cluster.populate(0);

  const etcd = new Etcd({ maxRequestBytes: config.etcd.maxRequestBytes, quotaBytes: config.etcd.quotaBytes }, config.etcd.startRevision);
  const real = new ProtobufSizer(cluster, config.objects.managedFields, config.kubeProxy.contentType === "json", config.dns.contentType === "json");
  const sizer: ObjectSizer = config.objects.sizeModel === "kep-752" ? new KepSizer(config.objects.bytesPerEndpoint, real) : real;

  // NPL samples in µs, reported in seconds
  const npl = new Histogram("npl", "s", { scale: 1e6 });
  const cohorts = buildCohorts(cluster.nodes, (n) => cluster.nodeZone[n], cluster.zones, config.kubeProxy.cohortSize);
  const phaseRng = rng.stream("kube-proxy/full-sync-phase");
  const proxies = new KubeProxyFleet(
    cohorts.count,
    { ...config.kubeProxy, cost: PROXY_COSTS[config.kubeProxy.mode] },
    npl,
    () => -Math.floor(phaseRng.uniform() * config.kubeProxy.fullSyncPeriod),
    cohorts.weight,
  );

  // Cluster DNS: the placement decides which instances hold API watches (facts dns-conntrack.md §2, §5)
  const placement = getPlacement(config.dns.placement);
  const podsTotal = cluster.nodes * cluster.podsPerNode;
  const shape: ClusterShape = { nodes: cluster.nodes, coresPerNode: cluster.coresPerNode, zones: cluster.zones, pods: podsTotal, services: cluster.services.length, centralReplicas: config.dns.servers };
  const dnsWatch = apiWatchers(placement, shape);
  const dnsWatchesPods = dnsWatch.byResource.pods > 0;

  let proxyListBytes = 0;
  let dnsListBytes = 0;
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
    },
    cohorts,
    dnsWatch.instances,
    proxies,
    { proxyListBytes: () => proxyListBytes, dnsListBytes: () => dnsListBytes },
  );

  const writesByKind = { endpointslices: 0, endpoints: 0, pods: 0, services: 0 };
  const sink: WriteSink = {
    committed(svc: Service, bytes, trigger, kind) {
      writesByKind[kind === "endpointslice" ? "endpointslices" : "endpoints"]++;
      apiserver.publish({ proxyBytes: bytes.proxyEvent, dnsBytes: bytes.dnsEvent, proxied: !svc.headless, trigger });
    },
    objectBytesChanged(svc: Service, proxyDelta, dnsDelta) {
      if (!svc.headless) proxyListBytes += proxyDelta;
      dnsListBytes += dnsDelta;
    },
  };

  const controllerCommon = {
    batchPeriod: config.controller.batchPeriod,
    workers: config.controller.workers,
    qps: config.controller.qps,
    burst: config.controller.burst,
    writeLatency: config.apiserver.writeLatency,
    syncBase: config.controller.syncBase,
    syncPerEndpoint: config.controller.syncPerEndpoint,
  };
  const controller =
    config.controller.mode === "endpointslice"
      ? new EndpointSliceController(sim, cluster, etcd, sizer, sink, getPackingAlgorithm(config.controller.algorithm), {
          ...controllerCommon,
          maxEndpointsPerSlice: config.controller.maxEndpointsPerSlice,
          options: config.controller.algorithmOptions,
        })
      : new EndpointsController(sim, cluster, etcd, sizer, sink, { ...controllerCommon, mode: config.controller.endpointsMode });

  // a pod's etcd key, built once: every write of the pod looks it up by this string
  const podKeys: string[] = [];
  const podKey = (svc: Service, pod: number): string => (podKeys[pod] ??= `/registry/pods/${svc.namespace}/${cluster.podName(pod)}`);

  // Time zero: the cluster as it stands, in etcd, with no writes counted.
  const absent = new Set<number>();
  for (const sel of config.cluster.absentServices) for (const svc of selectServices(cluster, sel)) absent.add(svc.index);
  for (const svc of cluster.services) {
    if (absent.has(svc.index)) controller.setAbsent(svc.index);
    else etcd.seed(`/registry/services/specs/${svc.namespace}/${svc.name}`, real.service(svc).stored);
    for (const p of svc.pods) etcd.seed(podKey(svc, p), real.pod(svc).stored);
  }
  controller.seed();

  const workload = new Workload(sim, cluster, rng, {
    podChanged(service, pod, trigger, event) {
      const svc = cluster.services[service];
      if (event === "removed") etcd.delete(podKey(svc, pod));
      const podBytes = real.pod(svc);
      for (let i = 0; i < POD_WRITES[event]; i++) {
        if (etcd.write(podKey(svc, pod), podBytes.stored) === "ok") {
          writesByKind.pods++;
          // autopath's CoreDNS watches every pod (`pods verified`, facts dns-conntrack.md §3.4): DNS-only events
          if (dnsWatchesPods) apiserver.publish({ proxyBytes: 0, dnsBytes: podBytes.dnsEvent, proxied: false, trigger: Number.NaN });
        }
      }
      controller.podChanged(service, pod, trigger);
    },
    serviceCreated(service) {
      const svc = cluster.services[service];
      const bytes = real.service(svc);
      if (etcd.write(`/registry/services/specs/${svc.namespace}/${svc.name}`, bytes.stored) === "ok") {
        writesByKind.services++;
        // kube-proxy watches Services too (its selector drops headless ones); a Service carries no trigger annotation
        apiserver.publish({ proxyBytes: bytes.proxyEvent, dnsBytes: bytes.dnsEvent, proxied: !svc.headless, trigger: Number.NaN });
      }
      controller.created(service);
    },
    nodeUp(node, up) {
      nodesUp += up ? 1 : -1;
      apiserver.setNodeUp(node, up);
    },
  });
  let nodesUp = cluster.nodes;
  workload.start(config.workload);

  let dns: DnsTraffic | undefined;
  if (config.dns.lookupsPerPodPerSecond > 0) {
    dns = new DnsTraffic(
      sim,
      { nodes: cluster.nodes, zones: cluster.zones, coresPerNode: cluster.coresPerNode, podsPerNode: cluster.podsPerNode, nodesUp: () => nodesUp },
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
        corednsCores: config.dns.corednsCores,
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
  }

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

  metrics.timeSeries("etcd.db_size", "bytes", () => etcd.dbTotalBytes);
  metrics.timeSeries("watch.bytes.cumulative", "bytes", () => apiserver.bytes);
  metrics.timeSeries("apiserver.egress_backlog", "s", () => apiserver.currentBacklog() / 1e6);
  if (dns !== undefined) {
    const d = dns;
    metrics.timeSeries("dns.coredns_qps", "qps", () => d.centralQps);
    metrics.timeSeries("conntrack.entries.max_node", "entries", () => d.maxConntrackNow);
  }
  metrics.sampleEvery(sim, interval, config.duration);

  // Per-phase deltas: a phase runs from its step's start to the next step's (or the end).
  const totals = (): Totals => ({
    watchBytes: apiserver.bytes,
    watchEvents: apiserver.deliveries,
    etcdWrites: etcd.stats.writes,
    etcdWriteBytes: etcd.stats.writeBytes,
    syncs: proxies.syncs,
    nplSamples: proxies.samples,
    controllerWrites: writesByKind.endpointslices + writesByKind.endpoints,
  });
  const marks: { name: string; at: Micros; totals?: Totals }[] = [...workload.phases].sort((a, b) => a.at - b.at);
  for (const m of marks) sim.schedule(m.at, () => (m.totals = totals()));

  const fraction = (): void => ctx.progress(sim.now / Math.max(1, config.duration));
  sim.run({ until: config.duration, onProgress: fraction, progressEvery: 1 << 14 });
  const end = totals();

  // ---- results (names in the contract first) ----
  const put = (name: string, unit: string, value: number): void => metrics.counter(name, unit).add(value);
  const kindName = config.controller.mode === "endpointslice" ? "endpointslice" : "endpoints";
  put("objects.endpoints.max_bytes", "bytes", kindName === "endpoints" ? controller.counters.maxObjectBytes : 0);
  put("objects.endpointslice.max_bytes", "bytes", kindName === "endpointslice" ? controller.counters.maxObjectBytes : 0);
  put("etcd.writes", "count", etcd.stats.writes);
  put("etcd.write_bytes", "bytes", etcd.stats.writeBytes);
  put("etcd.db_bytes.max", "bytes", etcd.dbTotalBytes);
  put("etcd.rejected_writes", "count", etcd.stats.rejectedTooLarge + etcd.stats.rejectedNoSpace);
  put("watch.events", "count", apiserver.deliveries);
  put("watch.bytes", "bytes", apiserver.bytes);
  put("watch.bytes.per_node.max", "bytes", apiserver.maxNodeBytes());
  put("watch.relists", "count", apiserver.relists);
  put("kubeproxy.syncs", "count", proxies.syncs);
  const p50 = npl.percentile(50);
  const p99 = npl.percentile(99);
  put("npl.p50_s", "s", p50);
  put("npl.p99_s", "s", p99);
  put("npl.slo_met", "bool", p99 <= config.slo.nplThreshold / 1e6 ? 1 : 0);

  put("npl.p90_s", "s", npl.percentile(90));
  put("npl.max_s", "s", npl.max);
  put("npl.samples", "count", npl.count);
  put("npl.threshold_s", "s", config.slo.nplThreshold / 1e6);
  // the distribution, for CDF charts: `<name>@q<quantile>` rows
  for (const q of CDF_QUANTILES) put(`npl.latency_s@q${q}`, "s", npl.percentile(q * 100));
  put("kubeproxy.full_syncs", "count", proxies.fullSyncs);
  put("kubeproxy.partial_sync_s", "s", proxies.partialSyncDuration / 1e6);
  put("watch.relist_bytes", "bytes", apiserver.relistBytes);
  put("watch.resumes", "count", apiserver.resumes);
  put("watch.resent_events", "count", apiserver.resentEvents);
  put("watch.serializations", "count", apiserver.serializations);
  put("apiserver.egress_backlog.max_s", "s", apiserver.maxBacklog / 1e6);
  put("etcd.writes.endpointslices", "count", writesByKind.endpointslices);
  put("etcd.writes.endpoints", "count", writesByKind.endpoints);
  put("etcd.writes.pods", "count", writesByKind.pods);
  put("etcd.writes.services", "count", writesByKind.services);
  put("etcd.rejected.too_large", "count", etcd.stats.rejectedTooLarge);
  put("etcd.rejected.nospace", "count", etcd.stats.rejectedNoSpace);
  put("etcd.nospace_alarm", "bool", etcd.noSpaceAlarm ? 1 : 0);
  put("etcd.largest_object_bytes", "bytes", etcd.stats.largestValueBytes);
  put("etcd.revisions", "count", etcd.revision - config.etcd.startRevision);
  const c = controller.counters;
  put("controller.syncs", "count", c.syncs);
  put("controller.failed_syncs", "count", c.failedSyncs);
  put("controller.creates", "count", c.creates);
  put("controller.updates", "count", c.updates);
  put("controller.deletes", "count", c.deletes);
  put("controller.api_requests", "count", controller.requests);
  if (controller instanceof EndpointSliceController) {
    let slices = 0;
    let endpoints = 0;
    // slices by fill (endpoints / maxEndpointsPerSlice) in tenths: bucket i holds fills in ((i-1)/10, i/10]
    const fillBuckets = new Array<number>(FILL_BUCKETS + 1).fill(0);
    for (let s = 0; s < cluster.services.length; s++) {
      for (const st of controller.slicesOf(s)) {
        slices++;
        endpoints += st.endpoints.length;
        fillBuckets[Math.ceil((st.endpoints.length / config.controller.maxEndpointsPerSlice) * FILL_BUCKETS)]++;
      }
    }
    put("endpointslice.count", "count", slices);
    put("endpointslice.fill.mean", "ratio", slices === 0 ? 0 : endpoints / (slices * config.controller.maxEndpointsPerSlice));
    for (let i = 0; i <= FILL_BUCKETS; i++) put(`endpointslice.fill.slices@le${i / FILL_BUCKETS}`, "count", fillBuckets[i]);
    put("endpointslice.endpoints_added", "count", c.endpointsAdded);
    put("endpointslice.endpoints_removed", "count", c.endpointsRemoved);
    // the endpoint_slice_controller_* metrics (facts endpointslice.md §4), gauges summed over Services
    const sum = (a: Float64Array): number => a.reduce((x, y) => x + y, 0);
    const p = "endpointslice_controller";
    put(`${p}.endpoints_desired`, "count", sum(controller.gauges.endpointsDesired));
    put(`${p}.num_endpoint_slices`, "count", sum(controller.gauges.numSlices));
    put(`${p}.desired_endpoint_slices`, "count", sum(controller.gauges.desiredSlices));
    put(`${p}.changes.create`, "count", c.creates);
    put(`${p}.changes.update`, "count", c.updates);
    put(`${p}.changes.delete`, "count", c.deletes);
    put(`${p}.syncs.success`, "count", c.syncs - c.failedSyncs);
    put(`${p}.syncs.error`, "count", c.failedSyncs);
    put(`${p}.endpointslices_changed_per_sync.count`, "count", controller.changedPerSync.count);
    put(`${p}.endpointslices_changed_per_sync.mean`, "count", controller.changedPerSync.mean);
    put(`${p}.endpointslices_changed_per_sync.p99`, "count", controller.changedPerSync.percentile(99));
  } else {
    put("endpoints.truncated_writes", "count", controller.truncatedWrites);
  }

  const cost = placementCost(placement, shape);
  put("dns.placement.instances", "count", cost.instances);
  put("dns.api_watchers", "count", dnsWatch.instances);
  put("dns.cpu_request_cores", "cores", cost.cpuRequestMillicores / 1000);
  if (dns !== undefined) {
    const traced = Math.max(1, dns.traced);
    put("dns.queries_per_lookup", "queries", dns.queriesPerLookup);
    put("dns.upstream_qps.max", "qps", dns.peakCentralQps);
    put("dns.external_qps.max", "qps", dns.peakExternalQps);
    put("dns.latency.p50_ms", "ms", dns.latency.percentile(50));
    put("dns.latency.p99_ms", "ms", dns.latency.percentile(99));
    put("dns.latency.p999_ms", "ms", dns.latency.percentile(99.9));
    put("dns.latency.max_ms", "ms", dns.latency.max);
    for (const q of CDF_QUANTILES) put(`dns.latency_ms@q${q}`, "ms", dns.latency.percentile(q * 100));
    put("dns.lookups", "count", Math.round(dns.lookups));
    put("dns.traced_lookups", "count", dns.traced);
    put("dns.sample_rate", "ratio", config.dns.sampleRate);
    // failures and race timeouts are counted on the traced lookups and scaled to all lookups
    put("dns.failures", "count", Math.round((dns.tracedFailures / traced) * dns.lookups));
    put("dns.race_timeouts", "count", Math.round((dns.tracedRaceTimeouts / traced) * dns.lookups));
    put("dns.coredns.replicas", "count", placement.components(shape).filter((g) => g.component === "coredns").reduce((n, g) => n + g.count, 0));
    put("dns.coredns.dropped_queries", "count", Math.round(dns.corednsDropped));
    put("dns.cpu_cores", "cores", dns.cpuCoreSeconds / (config.duration / 1e6));
    put("dns.memory_bytes", "bytes", Math.round(cost.memoryMB * 1e6));
    put("conntrack.peak_entries.max_node", "entries", Math.round(dns.peakConntrack));
    put("conntrack.drops", "count", Math.round(dns.conntrackDrops));
  }

  marks.forEach((m, i) => {
    const from = m.totals;
    const to = marks[i + 1]?.totals ?? end;
    if (from === undefined || to === undefined) return;
    const p = `phase.${m.name}`;
    put(`${p}.watch.bytes`, "bytes", to.watchBytes - from.watchBytes);
    put(`${p}.watch.events`, "count", to.watchEvents - from.watchEvents);
    put(`${p}.etcd.writes`, "count", to.etcdWrites - from.etcdWrites);
    put(`${p}.etcd.write_bytes`, "bytes", to.etcdWriteBytes - from.etcdWriteBytes);
    put(`${p}.controller.writes`, "count", to.controllerWrites - from.controllerWrites);
    put(`${p}.kubeproxy.syncs`, "count", to.syncs - from.syncs);
    put(`${p}.npl.samples`, "count", to.nplSamples - from.nplSamples);
  });
}

function averagePorts(cluster: Cluster): number {
  if (cluster.services.length === 0) return 1;
  let ports = 0;
  for (const s of cluster.services) ports += s.ports.length;
  return ports / cluster.services.length;
}
