/**
 * The network control plane of one cluster, wired together: pods (workload) -> Endpoints or EndpointSlice controller
 * -> etcd -> apiserver watch fan-out -> kube-proxy on every node. Exports the metrics of the results table.
 */
import { Histogram } from "../../engine/metrics.js";
import type { Micros } from "../../engine/time.js";
import { Apiserver } from "../apiserver.js";
import { Cluster, type Service } from "../cluster/cluster.js";
import type { ModelContext } from "../context.js";
import type { WriteSink } from "../controllers/controller-base.js";
import { EndpointSliceController } from "../controllers/endpointslice-controller.js";
import { EndpointsController } from "../controllers/endpoints-controller.js";
import { getPackingAlgorithm } from "../controllers/packing/index.js";
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

export function runNetwork(config: NetworkConfig, ctx: ModelContext): void {
  const { sim, rng, metrics } = ctx;
  const cluster = new Cluster(config.cluster, rng.stream("cluster/placement"), rng.stream("cluster/replicas"));
  cluster.populate(0);

  const etcd = new Etcd({ maxRequestBytes: config.etcd.maxRequestBytes, quotaBytes: config.etcd.quotaBytes }, config.etcd.startRevision);
  const real = new ProtobufSizer(cluster, config.objects.managedFields, config.kubeProxy.contentType === "json", config.dns.contentType === "json");
  const sizer: ObjectSizer = config.objects.sizeModel === "kep-752" ? new KepSizer(config.objects.bytesPerEndpoint, real) : real;

  // NPL samples in µs, reported in seconds
  const npl = new Histogram("npl", "s", { scale: 1e6 });
  const phaseRng = rng.stream("kube-proxy/full-sync-phase");
  const proxies = new KubeProxyFleet(
    cluster.nodes,
    { ...config.kubeProxy, cost: PROXY_COSTS[config.kubeProxy.mode] },
    npl,
    () => -Math.floor(phaseRng.uniform() * config.kubeProxy.fullSyncPeriod),
  );

  let proxyListBytes = 0;
  let dnsListBytes = 0;
  const apiserver = new Apiserver(
    sim,
    {
      replicas: config.apiserver.replicas,
      egressBytesPerSecond: config.apiserver.egressBytesPerSecond,
      bufferEvents: config.apiserver.watchBufferEvents,
      relistDelay: config.apiserver.relistDelay,
      dispatchDelay: config.apiserver.dispatchDelay,
    },
    cluster.nodes,
    config.dns.servers,
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

  // Time zero: the cluster as it stands, in etcd, with no writes counted.
  const absent = new Set<number>();
  for (const sel of config.cluster.absentServices) for (const svc of selectServices(cluster, sel)) absent.add(svc.index);
  for (const svc of cluster.services) {
    if (absent.has(svc.index)) controller.setAbsent(svc.index);
    else etcd.seed(`/registry/services/specs/${svc.namespace}/${svc.name}`, real.service(svc).stored);
    for (const p of svc.pods) etcd.seed(`/registry/pods/${svc.namespace}/${cluster.podName(p)}`, real.pod(svc).stored);
  }
  controller.seed();

  const podKey = (svc: Service, pod: number): string => `/registry/pods/${svc.namespace}/${cluster.podName(pod)}`;
  const workload = new Workload(sim, cluster, rng, {
    podChanged(service, pod, trigger, event) {
      const svc = cluster.services[service];
      if (event === "removed") etcd.delete(podKey(svc, pod));
      const stored = real.pod(svc).stored;
      for (let i = 0; i < POD_WRITES[event]; i++) {
        if (etcd.write(podKey(svc, pod), stored) === "ok") writesByKind.pods++;
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
      apiserver.setNodeUp(node, up);
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

  metrics.timeSeries("etcd.db_size", "bytes", () => etcd.dbTotalBytes);
  metrics.timeSeries("watch.bytes.cumulative", "bytes", () => apiserver.bytes);
  metrics.timeSeries("apiserver.egress_backlog", "s", () => apiserver.maxBacklog / 1e6);
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
  let perNodeMax = 0;
  for (let n = 0; n < cluster.nodes; n++) if (apiserver.bytesPerWatcher[n] > perNodeMax) perNodeMax = apiserver.bytesPerWatcher[n];
  put("watch.bytes.per_node.max", "bytes", perNodeMax);
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
  put("kubeproxy.full_syncs", "count", proxies.fullSyncs);
  put("kubeproxy.partial_sync_s", "s", proxies.partialSyncDuration / 1e6);
  put("watch.relist_bytes", "bytes", apiserver.relistBytes);
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
    for (let s = 0; s < cluster.services.length; s++) {
      for (const st of controller.slicesOf(s)) {
        slices++;
        endpoints += st.endpoints.length;
      }
    }
    put("endpointslice.count", "count", slices);
    put("endpointslice.fill.mean", "ratio", slices === 0 ? 0 : endpoints / (slices * config.controller.maxEndpointsPerSlice));
    put("endpointslice.endpoints_added", "count", c.endpointsAdded);
    put("endpointslice.endpoints_removed", "count", c.endpointsRemoved);
  } else {
    put("endpoints.truncated_writes", "count", controller.truncatedWrites);
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
