/**
 * The control plane's components, wired together: the cluster's own machinery (pods, kubelets, scheduler, ReplicaSet,
 * Deployment, node lifecycle and taint eviction controllers: cluster-dynamics.ts) -> the EndpointSlice and Endpoints
 * controllers -> the apiserver (its body limit) -> etcd (the whole keyspace: pods, Nodes, Leases, Events, Services,
 * EndpointSlices, Endpoints) -> the apiserver's watch fan-out -> kube-proxy on every node, the cluster DNS, the other
 * Endpoints consumers and the controller's own informer. Building it schedules the workload, the ruleset refresh and
 * etcd compaction; running the simulation is the caller's.
 */
import { Histogram } from "../../engine/metrics.js";
import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import { ApiStore } from "../api-store.js";
import { Apiserver, buildCohorts, DNS, KUBE_PROXY, type WatchedResource, type WatcherClass } from "../apiserver.js";
import { Cluster, type Service } from "../cluster/cluster.js";
import { podName } from "../cluster/naming.js";
import type { CountedKind } from "../cluster/pods.js";
import type { ModelContext } from "../context.js";
import type { EndpointsKind, WriteSink } from "../controllers/controller-base.js";
import { EndpointSliceController } from "../controllers/endpointslice-controller.js";
import { EndpointsController } from "../controllers/endpoints-controller.js";
import { getPackingAlgorithm } from "../controllers/packing/index.js";
import { apiWatchers } from "../dns/placement.js";
import { getPlacement } from "../dns/placements/index.js";
import { Etcd, NumberedKeys, type KeyGroup } from "../etcd.js";
import { KubeProxyFleet } from "../kube-proxy.js";
import { NplSli } from "../npl-sli.js";
import { KepSizer, ProtobufSizer, type ObjectBytes, type ObjectSizer } from "../object-bytes.js";
import { ClusterDynamics } from "./cluster-dynamics.js";
import type { NetworkConfig } from "./config.js";
import { clusterShape } from "./shape.js";
import { endpointsSource, endpointsTruncation } from "./versions.js";
import { selectServices } from "../cluster/service-selector.js";
import { Workload } from "./workload.js";

export interface ControlPlane {
  cluster: Cluster;
  etcd: Etcd;
  store: ApiStore;
  apiserver: Apiserver;
  slices: EndpointSliceController;
  endpoints: EndpointsController;
  proxies: KubeProxyFleet;
  dynamics: ClusterDynamics;
  workload: Workload;
  /** Network programming latency over every node's changes, and ClusterLoader2's windowed SLI of it. */
  npl: Histogram;
  nplSli: NplSli;
  /** The counted keys: pods that back no Service, Nodes, Leases, Events. */
  groups: Record<CountedKind, KeyGroup>;
}

export function buildControlPlane(config: NetworkConfig, ctx: ModelContext): ControlPlane {
  const { sim, rng } = ctx;
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
  for (const sel of config.cluster.absentServices) for (const svc of selectServices(cluster.services, sel)) absent.add(svc.index);
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

  return { cluster, etcd, store, apiserver, slices, endpoints, proxies, dynamics, workload, npl, nplSli, groups };
}

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

function averagePorts(cluster: Cluster): number {
  if (cluster.services.length === 0) return 1;
  let ports = 0;
  for (const s of cluster.services) ports += s.ports.length;
  return ports / cluster.services.length;
}
