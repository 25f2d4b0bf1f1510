/**
 * kube-apiserver watch fan-out: R replicas, each watcher attached to one; every committed change is dispatched by
 * each replica to each of its watchers whose selector matches, through the replica's egress link modelled as one
 * FIFO (bytes / bandwidth per delivery, in watcher order). Since Kubernetes 1.18 an event is serialized once per
 * replica and encoding, not per watcher (KEP-1152, facts scale.md §1.4), so serializations are counted per replica.
 *
 * Watchers: one kube-proxy per node (EndpointSlices of non-headless Services — its informer's selector excludes
 * `service.kubernetes.io/headless`, facts endpointslice.md §6 — or Endpoints in legacy mode) and the cluster DNS
 * servers (everything).
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
import { growFloat64, growUint8 } from "../engine/typed-arrays.js";
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
}

export interface ChangeEvent {
  /** Bytes of the event as kube-proxy receives it (its content type). */
  proxyBytes: number;
  /** Bytes as the DNS servers receive it. */
  dnsBytes: number;
  /** Delivered to kube-proxies (object of a non-headless Service). */
  proxied: boolean;
  /** The trigger-time annotation in µs, or NaN when the object carries none. */
  trigger: number;
}

/** Current total bytes a relisting watcher downloads. */
export interface ListSizes {
  proxyListBytes(): number;
  dnsListBytes(): number;
}

/** Something else that consumes deliveries to DNS watchers (the DNS model; one call per DNS watch); optional. */
export interface DnsWatchSink {
  receive(dnsIndex: number, arrival: Micros, event: number): void;
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

  private readonly busy: Float64Array;
  /** Highest change index each replica has dispatched (dispatches run in change order per replica). */
  private readonly dispatched: Float64Array;
  /** Watchers whose process restarted (node back up): missed changes predate their tracker, so no NPL samples. */
  private readonly restarted: Uint8Array;
  private readonly replicaWatchers: Int32Array[];
  private readonly state: Uint8Array;
  private readonly lastChange: Float64Array;
  /** Per watcher, the arrival times of its last `bufferEvents` deliveries (a ring). */
  private readonly ring: Float64Array;
  /** Per watcher, the ring slot its next delivery goes to. */
  private readonly ringNext: Int32Array;
  private readonly usPerByte: number;

  // The change log (for watchers catching up after a relist).
  private logProxyBytes = new Float64Array(1024);
  private logDnsBytes = new Float64Array(1024);
  private logTrigger = new Float64Array(1024);
  private logProxied = new Uint8Array(1024);
  /** When each change was published. */
  private logTime = new Float64Array(1024);
  changes = 0;

  private readonly dispatchHandler: (arg: number) => void;
  private readonly reopenHandler: (arg: number) => void;

  /** Node watchers (cohorts) are ids 0..nodes-1, then the DNS servers' watches. */
  readonly nodes: number;
  /** Clients behind each watch (nodes of a cohort, DNS servers of a group). */
  private readonly weight: Int32Array;
  private readonly replicaOf: Int32Array;
  private readonly cohortOf: Int32Array;

  constructor(
    private readonly sim: Simulation,
    private readonly config: ApiserverConfig,
    cohorts: NodeCohorts,
    readonly dnsWatchers: number,
    private readonly proxies: KubeProxyFleet,
    private readonly listSizes: ListSizes,
    private readonly dns?: DnsWatchSink,
  ) {
    const nodes = cohorts.count;
    const R = config.replicas;
    this.nodes = nodes;
    this.cohortOf = cohorts.cohortOf;
    // DNS server j is attached to replica (nodes + j) mod R, grouped per replica or each on its own
    const dnsWeights: number[] = [];
    const dnsReplicas: number[] = [];
    if (config.groupDnsWatchers) {
      for (let r = 0; r < R; r++) {
        const onReplica = dnsWatchers > 0 ? Math.floor((dnsWatchers - 1 - ((r - nodes) % R + R) % R) / R) + 1 : 0;
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
    const w = nodes + dnsWeights.length;
    this.watchers = w;
    this.weight = new Int32Array(w);
    this.weight.set(cohorts.weight);
    this.weight.set(dnsWeights, nodes);
    this.replicaOf = new Int32Array(w);
    for (let i = 0; i < nodes; i++) this.replicaOf[i] = i % R;
    this.replicaOf.set(dnsReplicas, nodes);
    this.bytesPerWatcher = new Float64Array(w);
    this.state = new Uint8Array(w);
    this.lastChange = new Float64Array(w).fill(-1);
    this.ring = new Float64Array(w * config.bufferEvents).fill(-Infinity);
    this.ringNext = new Int32Array(w);
    this.busy = new Float64Array(R);
    this.dispatched = new Float64Array(R).fill(-1);
    this.restarted = new Uint8Array(w);
    this.usPerByte = 1e6 / config.egressBytesPerSecond;
    const perReplica: number[][] = Array.from({ length: R }, () => []);
    for (let i = 0; i < w; i++) perReplica[this.replicaOf[i]].push(i);
    this.replicaWatchers = perReplica.map((l) => Int32Array.from(l));
    this.dispatchHandler = (arg) => this.dispatch(arg);
    this.reopenHandler = (arg) => this.reopen(arg);
  }

  /** A change committed to etcd now: every replica dispatches it after the watch cache delay. */
  publish(event: ChangeEvent): number {
    const k = this.changes++;
    if (k === this.logTrigger.length) this.growLog();
    this.logProxyBytes[k] = event.proxyBytes;
    this.logDnsBytes[k] = event.dnsBytes;
    this.logTrigger[k] = event.trigger;
    this.logProxied[k] = event.proxied ? 1 : 0;
    this.logTime[k] = this.sim.now;
    const at = this.sim.now + this.config.dispatchDelay;
    for (let r = 0; r < this.config.replicas; r++) this.sim.schedule(at, this.dispatchHandler, k * this.config.replicas + r);
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

  private dispatch(arg: number): void {
    const R = this.config.replicas;
    const k = Math.floor(arg / R);
    const r = arg - k * R;
    const now = this.sim.now;
    const proxied = this.logProxied[k] === 1;
    const trigger = this.logTrigger[k];
    const proxyBytes = this.logProxyBytes[k];
    const dnsBytes = this.logDnsBytes[k];
    const proxyDt = proxyBytes * this.usPerByte;
    const dnsDt = dnsBytes * this.usPerByte;
    const L = this.config.bufferEvents;
    const nodes = this.nodes;
    const list = this.replicaWatchers[r];
    const state = this.state;
    const ring = this.ring;
    const ringNext = this.ringNext;
    const bytesPerWatcher = this.bytesPerWatcher;
    const lastChange = this.lastChange;
    const proxies = this.proxies;
    const weight = this.weight;
    let cur = this.busy[r] > now ? this.busy[r] : now;
    let delivered = 0;
    let bytes = 0;
    for (let i = 0; i < list.length; i++) {
      const w = list[i];
      const isNode = w < nodes;
      if (isNode && !proxied) continue;
      if (state[w] !== OPEN) continue;
      // the slot holds the arrival of this watcher's L-th most recent delivery: still ahead of now means L undelivered
      const next = ringNext[w];
      const slot = w * L + next;
      if (ring[slot] > now) {
        this.close(w, now);
        continue;
      }
      const n = weight[w];
      const size = isNode ? proxyBytes : dnsBytes;
      cur += (isNode ? proxyDt : dnsDt) * n;
      ring[slot] = cur;
      ringNext[w] = next + 1 === L ? 0 : next + 1;
      bytesPerWatcher[w] += size;
      bytes += size * n;
      delivered += n;
      lastChange[w] = k;
      if (isNode) proxies.receive(w, cur, trigger);
      else this.dns?.receive(w - nodes, cur, k);
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

  /**
   * The client watches again from the last change it received: missed changes still in the cache's history are sent
   * again one by one; otherwise it lists everything it watches and the missed changes arrive with the list.
   */
  private reopen(w: number): void {
    if (this.state[w] !== CLOSED) return;
    const r = this.replicaOf[w];
    const now = this.sim.now;
    const isNode = w < this.nodes;
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
        if (isNode && this.logProxied[k] === 0) continue;
        const size = isNode ? this.logProxyBytes[k] : this.logDnsBytes[k];
        cur += size * n * this.usPerByte;
        this.bytes += size * n;
        this.bytesPerWatcher[w] += size;
        this.deliveries += n;
        this.resentEvents += n;
        this.ring[w * L + slot] = cur;
        slot = slot + 1 === L ? 0 : slot + 1;
        if (isNode) this.proxies.receive(w, cur, this.logTrigger[k]);
        else this.dns?.receive(w - this.nodes, cur, k);
      }
    } else {
      const size = isNode ? this.listSizes.proxyListBytes() : this.listSizes.dnsListBytes();
      cur += size * n * this.usPerByte;
      this.relists += n;
      this.relistBytes += size * n;
      this.bytes += size * n;
      this.bytesPerWatcher[w] += size;
      this.ring[w * L] = cur;
      slot = L === 1 ? 0 : 1;
      for (let k = first; k <= upTo; k++) {
        if (isNode) {
          if (this.logProxied[k] === 1) this.proxies.receive(w, cur, sampled ? this.logTrigger[k] : Number.NaN);
        } else {
          this.dns?.receive(w - this.nodes, cur, k);
        }
      }
    }
    this.busy[r] = cur;
    this.ringNext[w] = slot;
    this.state[w] = OPEN;
    if (upTo > this.lastChange[w]) this.lastChange[w] = upTo;
  }

  private growLog(): void {
    const cap = this.logTrigger.length * 2;
    this.logProxyBytes = growFloat64(this.logProxyBytes, cap);
    this.logDnsBytes = growFloat64(this.logDnsBytes, cap);
    this.logTrigger = growFloat64(this.logTrigger, cap);
    this.logProxied = growUint8(this.logProxied, cap);
    this.logTime = growFloat64(this.logTime, cap);
  }
}
