/**
 * kube-apiserver watch fan-out: R replicas, each watcher attached to one; every committed change is dispatched by
 * each replica to each of its watchers whose selector matches, through the replica's egress link modelled as one
 * FIFO (bytes / bandwidth per delivery, in watcher order). Since Kubernetes 1.18 an event is serialized once per
 * replica and encoding, not per watcher (KEP-1152, docs/sources.md §14.4), so serializations are counted per replica.
 *
 * Watchers, each of a class that watches some resources (`WatchClients`): one kube-proxy per node (EndpointSlices,
 * or Endpoints before v1.19, and Services, of non-headless Services only: its informers' label selector excludes
 * `service.kubernetes.io/headless`, cmd/kube-proxy/app/server.go), the cluster DNS servers (the same resources of
 * every Service; Pods too with autopath), other consumers of Endpoints (ingress controllers, meshes, monitoring) and
 * the EndpointSlice controller's own informer of EndpointSlices.
 *
 * A watcher that falls behind by more than `bufferEvents` undelivered events is closed, as the cacher closes
 * watchers whose buffered channel stays full ("Forcing watcher close due to unresponsiveness"). Its client (a
 * client-go reflector) watches again after `relistDelay` from the last resourceVersion it saw: if the watch cache
 * still holds every event since (it keeps `cacheWindow` of history, eventFreshDuration = 75 s), the missed events
 * are sent again and it resumes; if not, the apiserver answers 410 Gone and the client relists: the whole list of
 * objects it watches goes through the same FIFO. The default buffer, 200 events, is the cacheWatcher's input and
 * result channels, 100 each for an unindexed watch (staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go
 * maxWatchChanSizeWithoutIndex = 100).
 *
 * One simulation event per (change, replica); the per-watcher work is a tight loop over typed arrays.
 */
import type { Simulation } from "../engine/simulation.js";
import type { Micros } from "../engine/time.js";
import { growFloat64, growInt32, growUint8 } from "../engine/typed-arrays.js";
import type { KubeProxyFleet } from "./kube-proxy.js";

export interface ApiserverConfig {
  replicas: number;
  /** Egress bandwidth of one replica, bytes per second. */
  egressBytesPerSecond: number;
  bufferEvents: number;
  relistDelay: Micros;
  /** History the watch cache keeps: a watch resuming from an older resourceVersion must relist. */
  cacheWindow: Micros;
  /** From etcd commit to dispatch by the watch cache. */
  dispatchDelay: Micros;
  /**
   * The DNS servers attached to one replica share one weighted watch, like kube-proxy cohorts: bytes and event
   * counts stay exact; all of a replica's DNS servers close and relist together when they fall behind.
   */
  groupDnsWatchers?: boolean;
  /**
   * The controller's informer reaches its apiserver on the same host (kube-controller-manager's kubeconfig points at
   * the local apiserver in kubeadm, kops and the managed control planes): its events do not queue behind the node
   * watchers' bytes on the egress link. False: it connects like a node, through the same FIFO.
   */
  localInformer?: boolean;
}

export const RESOURCES = ["endpointslices", "endpoints", "services", "pods"] as const;
export type WatchedResource = (typeof RESOURCES)[number];
const RESOURCE_INDEX: Record<WatchedResource, number> = { endpointslices: 0, endpoints: 1, services: 2, pods: 3 };

/** Who watches what, besides one kube-proxy per node (cohort). */
export interface WatchClients {
  kubeProxy: readonly WatchedResource[];
  dnsServers: number;
  dns: readonly WatchedResource[];
  /** Watchers of Endpoints other than kube-proxy and DNS, one watch each. */
  endpointsConsumers: number;
  /** The EndpointSlice controller watches the slices it writes (its informer). */
  controllerInformer: boolean;
}

/** Watcher classes: which bytes of a change they receive and where deliveries go. */
export const KUBE_PROXY = 0;
export const DNS = 1;
export const CONSUMER = 2;
export const INFORMER = 3;
export type WatcherClass = typeof KUBE_PROXY | typeof DNS | typeof CONSUMER | typeof INFORMER;

export interface ChangeEvent {
  resource: WatchedResource;
  /** Bytes of the event as kube-proxy receives it (its content type). */
  proxyBytes: number;
  /** Bytes as the DNS servers receive it. */
  dnsBytes: number;
  /** Bytes as a protobuf client receives it (other consumers, the controller's informer). */
  bytes: number;
  /** Delivered to kube-proxies (object of a non-headless Service). */
  proxied: boolean;
  /** The trigger-time annotation in µs, or NaN when the object carries none. */
  trigger: number;
  /** That many alike changes in one (objects the model counts instead of following); default 1. */
  count?: number;
  /** The Service the object belongs to (kube-proxy keys its pending trigger times by Service); default -1. */
  service?: number;
  /** The object was deleted. */
  deleted?: boolean;
}

/** Current total bytes a relisting watcher of `cls` downloads for `resource`. */
export type ListSizes = (resource: WatchedResource, cls: WatcherClass) => number;

/** Something that consumes deliveries to one watcher (the DNS model per DNS watch, the controller's informer). */
export interface WatchSink {
  receive(watcher: number, arrival: Micros, change: number): void;
}

/**
 * Nodes grouped into cohorts that share one watch and one kube-proxy timeline (`kubeProxy.cohortSize`, default 1:
 * every node its own). A cohort's k nodes receive each event back to back on the FIFO, so treating them as one
 * watcher whose deliveries end with the last of them shifts each NPL sample by at most (k - 1) x event bytes /
 * bandwidth (0.2 ms for k = 16, 19 KB slices, 10 Gbit/s); bytes and event counts stay exact (weighted).
 */
export interface NodeCohorts {
  /** Number of node watchers (cohorts). */
  count: number;
  /** Nodes in each cohort. */
  weight: Int32Array;
  /** The cohort of each node. */
  cohortOf: Int32Array;
}

/** Cohorts of up to `size` nodes of the same zone, zone after zone. */
export function buildCohorts(nodes: number, zoneOf: (n: number) => number, zones: number, size: number): NodeCohorts {
  const weights: number[] = [];
  const cohortOf = new Int32Array(nodes);
  for (let z = 0; z < zones; z++) {
    let inCohort = size;
    for (let n = 0; n < nodes; n++) {
      if (zoneOf(n) !== z) continue;
      if (inCohort === size) {
        weights.push(0);
        inCohort = 0;
      }
      weights[weights.length - 1]++;
      cohortOf[n] = weights.length - 1;
      inCohort++;
    }
  }
  return { count: weights.length, weight: Int32Array.from(weights), cohortOf };
}

const OPEN = 0;
const CLOSED = 1;
const DOWN = 2;

export class Apiserver {
  readonly watchers: number;
  readonly bytesPerWatcher: Float64Array;
  deliveries = 0;
  bytes = 0;
  serializations = 0;
  relists = 0;
  relistBytes = 0;
  /** Watches re-established from the cache's history (no relist), and the events sent again. */
  resumes = 0;
  resentEvents = 0;
  /** Longest egress backlog seen on any replica, µs. */
  maxBacklog: Micros = 0;
  /** Deliveries and bytes per watcher class. */
  readonly classDeliveries = new Float64Array(4);
  readonly classBytes = new Float64Array(4);

  private readonly busy: Float64Array;
  /** Highest change index each replica has dispatched (dispatches run in change order per replica). */
  private readonly dispatched: Float64Array;
  /** Watchers whose process restarted (node back up): missed changes predate their tracker, so no NPL samples. */
  private readonly restarted: Uint8Array;
  /** Per (replica, resource), the watchers subscribed, in the replica's watcher order. */
  private readonly subscribed: Int32Array[];
  /** Per watcher, a bit per resource it watches. */
  private readonly resourceMask: Uint8Array;
  private readonly cls: Uint8Array;
  private readonly state: Uint8Array;
  private readonly lastChange: Float64Array;
  /** Per watcher, the arrival times of its last `bufferEvents` deliveries (a ring). */
  private readonly ring: Float64Array;
  /** Per watcher, the ring slot its next delivery goes to. */
  private readonly ringNext: Int32Array;
  private readonly usPerByte: number;

  // The change log (for watchers catching up after a relist).
  private logResource = new Uint8Array(1024);
  private logProxyBytes = new Float64Array(1024);
  private logDnsBytes = new Float64Array(1024);
  private logBytes = new Float64Array(1024);
  private logCount = new Float64Array(1024);
  private logTrigger = new Float64Array(1024);
  private logProxied = new Uint8Array(1024);
  private logService = new Int32Array(1024);
  private logDeleted = new Uint8Array(1024);
  /** When each change was published. */
  private logTime = new Float64Array(1024);
  changes = 0;

  private readonly dispatchHandler: (arg: number) => void;
  private readonly reopenHandler: (arg: number) => void;

  /** Node watchers (cohorts) are ids 0..nodes-1, then the DNS servers' watches, the consumers, the informer. */
  readonly nodes: number;
  /** Id of the first DNS watch, of the first consumer, of the controller's informer (-1 when there is none). */
  readonly firstDns: number;
  readonly informer: number;
  /** Clients behind each watch (nodes of a cohort, DNS servers of a group). */
  private readonly weight: Int32Array;
  private readonly replicaOf: Int32Array;
  private readonly cohortOf: Int32Array;

  constructor(
    private readonly sim: Simulation,
    private readonly config: ApiserverConfig,
    cohorts: NodeCohorts,
    clients: WatchClients,
    private readonly proxies: KubeProxyFleet,
    private readonly listSizes: ListSizes,
    private readonly dns?: WatchSink,
  ) {
    const nodes = cohorts.count;
    const R = config.replicas;
    this.nodes = nodes;
    this.cohortOf = cohorts.cohortOf;
    // DNS server j is attached to replica (nodes + j) mod R, grouped per replica or each on its own
    const dnsWatchers = clients.dnsServers;
    const dnsWeights: number[] = [];
    const dnsReplicas: number[] = [];
    if (config.groupDnsWatchers) {
      for (let r = 0; r < R; r++) {
        const onReplica = dnsWatchers > 0 ? Math.floor((dnsWatchers - 1 - ((((r - nodes) % R) + R) % R)) / R) + 1 : 0;
        if (onReplica <= 0) continue;
        dnsWeights.push(onReplica);
        dnsReplicas.push(r);
      }
    } else {
      for (let j = 0; j < dnsWatchers; j++) {
        dnsWeights.push(1);
        dnsReplicas.push((nodes + j) % R);
      }
    }
    const consumers = clients.endpointsConsumers;
    this.firstDns = nodes;
    const firstConsumer = nodes + dnsWeights.length;
    this.informer = clients.controllerInformer ? firstConsumer + consumers : -1;
    const w = firstConsumer + consumers + (clients.controllerInformer ? 1 : 0);
    this.watchers = w;
    this.weight = new Int32Array(w).fill(1);
    this.weight.set(cohorts.weight);
    this.weight.set(dnsWeights, nodes);
    this.replicaOf = new Int32Array(w);
    this.cls = new Uint8Array(w);
    this.resourceMask = new Uint8Array(w);
    const mask = (list: readonly WatchedResource[]): number => list.reduce((m, r) => m | (1 << RESOURCE_INDEX[r]), 0);
    for (let i = 0; i < nodes; i++) {
      this.replicaOf[i] = i % R;
      this.cls[i] = KUBE_PROXY;
      this.resourceMask[i] = mask(clients.kubeProxy);
    }
    for (let j = 0; j < dnsWeights.length; j++) {
      this.replicaOf[nodes + j] = dnsReplicas[j];
      this.cls[nodes + j] = DNS;
      this.resourceMask[nodes + j] = mask(clients.dns);
    }
    for (let j = 0; j < consumers; j++) {
      this.replicaOf[firstConsumer + j] = (firstConsumer + j) % R;
      this.cls[firstConsumer + j] = CONSUMER;
      this.resourceMask[firstConsumer + j] = mask(["endpoints"]);
    }
    if (this.informer >= 0) {
      this.replicaOf[this.informer] = this.informer % R;
      this.cls[this.informer] = INFORMER;
      this.resourceMask[this.informer] = mask(["endpointslices"]);
    }
    this.bytesPerWatcher = new Float64Array(w);
    this.state = new Uint8Array(w);
    this.lastChange = new Float64Array(w).fill(-1);
    this.ring = new Float64Array(w * config.bufferEvents).fill(-Infinity);
    this.ringNext = new Int32Array(w);
    this.busy = new Float64Array(R);
    this.dispatched = new Float64Array(R).fill(-1);
    this.restarted = new Uint8Array(w);
    this.usPerByte = 1e6 / config.egressBytesPerSecond;
    this.subscribed = [];
    for (let r = 0; r < R; r++) {
      for (let res = 0; res < RESOURCES.length; res++) {
        const list: number[] = [];
        for (let i = 0; i < w; i++) if (this.replicaOf[i] === r && (this.resourceMask[i] & (1 << res)) !== 0) list.push(i);
        this.subscribed.push(Int32Array.from(list));
      }
    }
    this.dispatchHandler = (arg) => this.dispatch(arg);
    this.reopenHandler = (arg) => this.reopen(arg);
  }

  private informerSink: WatchSink | undefined;

  /** Where the deliveries to the controller's informer go. */
  attachInformer(sink: WatchSink): void {
    this.informerSink = sink;
  }

  /** A change committed to etcd now: every replica dispatches it after the watch cache delay; returns its index. */
  publish(event: ChangeEvent): number {
    const k = this.changes++;
    if (k === this.logTrigger.length) this.growLog();
    const res = RESOURCE_INDEX[event.resource];
    this.logResource[k] = res;
    this.logProxyBytes[k] = event.proxyBytes;
    this.logDnsBytes[k] = event.dnsBytes;
    this.logBytes[k] = event.bytes;
    this.logCount[k] = event.count ?? 1;
    this.logTrigger[k] = event.trigger;
    this.logProxied[k] = event.proxied ? 1 : 0;
    this.logService[k] = event.service ?? -1;
    this.logDeleted[k] = event.deleted === true ? 1 : 0;
    this.logTime[k] = this.sim.now;
    const at = this.sim.now + this.config.dispatchDelay;
    const R = this.config.replicas;
    for (let r = 0; r < R; r++) if (this.subscribed[r * RESOURCES.length + res].length > 0) this.sim.schedule(at, this.dispatchHandler, k * R + r);
    return k;
  }

  /** A node went down (its kube-proxy's watch ends) or came back (it relists now); its whole cohort follows. */
  setNodeUp(node: number, up: boolean): void {
    const w = this.cohortOf[node];
    if (!up) {
      this.state[w] = DOWN;
    } else if (this.state[w] === DOWN) {
      this.state[w] = CLOSED;
      this.restarted[w] = 1;
      this.reopen(w);
    }
  }

  /** The egress queue still ahead of now on the busiest replica, µs. */
  currentBacklog(): Micros {
    let max = 0;
    for (let r = 0; r < this.config.replicas; r++) if (this.busy[r] - this.sim.now > max) max = this.busy[r] - this.sim.now;
    return max;
  }

  /** Bytes received by the node watchers' busiest node. */
  maxNodeBytes(): number {
    let max = 0;
    for (let w = 0; w < this.nodes; w++) if (this.bytesPerWatcher[w] > max) max = this.bytesPerWatcher[w];
    return max;
  }

  private sizeFor(cls: number, k: number): number {
    return cls === KUBE_PROXY ? this.logProxyBytes[k] : cls === DNS ? this.logDnsBytes[k] : this.logBytes[k];
  }

  private deliver(w: number, cls: number, arrival: Micros, k: number, trigger: number): void {
    if (cls === KUBE_PROXY) this.proxies.receive(w, arrival, trigger, this.logService[k], this.logDeleted[k] === 1);
    else if (cls === DNS) this.dns?.receive(w - this.firstDns, arrival, k);
    else if (cls === INFORMER) this.informerSink?.receive(w, arrival, k);
  }

  private dispatch(arg: number): void {
    const R = this.config.replicas;
    const k = Math.floor(arg / R);
    const r = arg - k * R;
    const now = this.sim.now;
    const proxied = this.logProxied[k] === 1;
    const trigger = this.logTrigger[k];
    const count = this.logCount[k];
    const L = this.config.bufferEvents;
    const list = this.subscribed[r * RESOURCES.length + this.logResource[k]];
    const state = this.state;
    const ring = this.ring;
    const ringNext = this.ringNext;
    const bytesPerWatcher = this.bytesPerWatcher;
    const lastChange = this.lastChange;
    const weight = this.weight;
    const cls = this.cls;
    const usPerByte = this.usPerByte;
    let cur = this.busy[r] > now ? this.busy[r] : now;
    let delivered = 0;
    let bytes = 0;
    for (let i = 0; i < list.length; i++) {
      const w = list[i];
      const c = cls[w];
      if (c === KUBE_PROXY && !proxied) continue;
      if (state[w] !== OPEN) continue;
      // the slot holds the arrival of this watcher's L-th most recent delivery: still ahead of now means L undelivered
      const next = ringNext[w];
      const slot = w * L + next;
      if (ring[slot] > now) {
        this.close(w, now);
        continue;
      }
      const n = weight[w] * count;
      const size = this.sizeFor(c, k);
      let arrival = now;
      if (c !== INFORMER || !this.config.localInformer) {
        cur += size * n * usPerByte;
        arrival = cur;
      }
      ring[slot] = arrival;
      ringNext[w] = next + 1 === L ? 0 : next + 1;
      bytesPerWatcher[w] += size * count;
      bytes += size * n;
      delivered += n;
      this.classDeliveries[c] += n;
      this.classBytes[c] += size * n;
      lastChange[w] = k;
      this.deliver(w, c, arrival, k, trigger);
    }
    this.dispatched[r] = k;
    if (delivered > 0) this.serializations++;
    this.deliveries += delivered;
    this.bytes += bytes;
    this.busy[r] = cur;
    if (cur - now > this.maxBacklog) this.maxBacklog = cur - now;
  }

  private close(w: number, now: Micros): void {
    this.state[w] = CLOSED;
    this.sim.schedule(now + this.config.relistDelay, this.reopenHandler, w);
  }

  /** True when watcher `w` receives change `k`. */
  private watches(w: number, k: number): boolean {
    return (this.resourceMask[w] & (1 << this.logResource[k])) !== 0 && (this.cls[w] !== KUBE_PROXY || this.logProxied[k] === 1);
  }

  /**
   * The client watches again from the last change it received: missed changes still in the cache's history are sent
   * again one by one; otherwise it lists everything it watches and the missed changes arrive with the list.
   */
  private reopen(w: number): void {
    if (this.state[w] !== CLOSED) return;
    const r = this.replicaOf[w];
    const now = this.sim.now;
    const c = this.cls[w];
    const n = this.weight[w];
    const first = this.lastChange[w] + 1;
    // Changes this replica already dispatched come now; later ones through the watch as usual.
    const upTo = this.dispatched[r];
    const sampled = this.restarted[w] === 0;
    this.restarted[w] = 0;
    const resume = sampled && (first > upTo || this.logTime[first] >= now - this.config.cacheWindow);
    let cur = this.busy[r] > now ? this.busy[r] : now;
    const L = this.config.bufferEvents;
    for (let i = 0; i < L; i++) this.ring[w * L + i] = -Infinity;
    let slot = 0;
    if (resume) {
      this.resumes += n;
      for (let k = first; k <= upTo; k++) {
        if (!this.watches(w, k)) continue;
        const size = this.sizeFor(c, k) * this.logCount[k];
        cur += size * n * this.usPerByte;
        this.bytes += size * n;
        this.classBytes[c] += size * n;
        this.classDeliveries[c] += n * this.logCount[k];
        this.bytesPerWatcher[w] += size;
        this.deliveries += n * this.logCount[k];
        this.resentEvents += n;
        this.ring[w * L + slot] = cur;
        slot = slot + 1 === L ? 0 : slot + 1;
        this.deliver(w, c, cur, k, this.logTrigger[k]);
      }
    } else {
      let size = 0;
      for (const res of RESOURCES) if ((this.resourceMask[w] & (1 << RESOURCE_INDEX[res])) !== 0) size += this.listSizes(res, c as WatcherClass);
      cur += size * n * this.usPerByte;
      this.relists += n;
      this.relistBytes += size * n;
      this.bytes += size * n;
      this.classBytes[c] += size * n;
      this.bytesPerWatcher[w] += size;
      this.ring[w * L] = cur;
      slot = L === 1 ? 0 : 1;
      for (let k = first; k <= upTo; k++) {
        if (this.watches(w, k)) this.deliver(w, c, cur, k, sampled ? this.logTrigger[k] : Number.NaN);
      }
    }
    this.busy[r] = cur;
    this.ringNext[w] = slot;
    this.state[w] = OPEN;
    if (upTo > this.lastChange[w]) this.lastChange[w] = upTo;
  }

  private growLog(): void {
    const cap = this.logTrigger.length * 2;
    this.logResource = growUint8(this.logResource, cap);
    this.logProxyBytes = growFloat64(this.logProxyBytes, cap);
    this.logDnsBytes = growFloat64(this.logDnsBytes, cap);
    this.logBytes = growFloat64(this.logBytes, cap);
    this.logCount = growFloat64(this.logCount, cap);
    this.logTrigger = growFloat64(this.logTrigger, cap);
    this.logProxied = growUint8(this.logProxied, cap);
    this.logService = growInt32(this.logService, cap);
    this.logDeleted = growUint8(this.logDeleted, cap);
    this.logTime = growFloat64(this.logTime, cap);
  }
}
