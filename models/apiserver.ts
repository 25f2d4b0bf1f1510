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
 * watchers whose buffered channel stays full ("Forcing watcher close due to unresponsiveness"); its client relists
 * after `relistDelay`: the whole list of objects it watches goes through the same FIFO, then it resumes. The default
 * buffer, 200 events, is the cacheWatcher's input and result channels, 100 each for an unindexed watch
 * (staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go maxWatchChanSizeWithoutIndex = 100).
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
  /** From etcd commit to dispatch by the watch cache. */
  dispatchDelay: Micros;
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

/** Something else that consumes deliveries to DNS watchers (the DNS model); optional. */
export interface DnsWatchSink {
  receive(dnsIndex: number, arrival: Micros, event: number): void;
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
  private readonly ring: Float64Array;
  private readonly ringCount: Float64Array;
  private readonly usPerByte: number;

  // The change log (for watchers catching up after a relist).
  private logProxyBytes = new Float64Array(1024);
  private logDnsBytes = new Float64Array(1024);
  private logTrigger = new Float64Array(1024);
  private logProxied = new Uint8Array(1024);
  changes = 0;

  private readonly dispatchHandler: (arg: number) => void;
  private readonly reopenHandler: (arg: number) => void;

  constructor(
    private readonly sim: Simulation,
    private readonly config: ApiserverConfig,
    /** Node watchers are ids 0..nodes-1 (kube-proxies), then one per DNS server. */
    readonly nodes: number,
    readonly dnsWatchers: number,
    private readonly proxies: KubeProxyFleet,
    private readonly listSizes: ListSizes,
    private readonly dns?: DnsWatchSink,
  ) {
    const w = nodes + dnsWatchers;
    this.watchers = w;
    this.bytesPerWatcher = new Float64Array(w);
    this.state = new Uint8Array(w);
    this.lastChange = new Float64Array(w).fill(-1);
    this.ring = new Float64Array(w * config.bufferEvents).fill(-Infinity);
    this.ringCount = new Float64Array(w);
    this.busy = new Float64Array(config.replicas);
    this.dispatched = new Float64Array(config.replicas).fill(-1);
    this.restarted = new Uint8Array(w);
    this.usPerByte = 1e6 / config.egressBytesPerSecond;
    const perReplica: number[][] = Array.from({ length: config.replicas }, () => []);
    for (let i = 0; i < w; i++) perReplica[i % config.replicas].push(i);
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
    const at = this.sim.now + this.config.dispatchDelay;
    for (let r = 0; r < this.config.replicas; r++) this.sim.schedule(at, this.dispatchHandler, k * this.config.replicas + r);
    return k;
  }

  /** A node went down (its kube-proxy's watch ends) or came back (it relists now). */
  setNodeUp(node: number, up: boolean): void {
    if (!up) {
      this.state[node] = DOWN;
    } else if (this.state[node] === DOWN) {
      this.state[node] = CLOSED;
      this.restarted[node] = 1;
      this.reopen(node);
    }
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
    const ringCount = this.ringCount;
    const bytesPerWatcher = this.bytesPerWatcher;
    const lastChange = this.lastChange;
    const proxies = this.proxies;
    let cur = this.busy[r] > now ? this.busy[r] : now;
    let delivered = 0;
    let bytes = 0;
    for (let i = 0; i < list.length; i++) {
      const w = list[i];
      const isNode = w < nodes;
      if (isNode && !proxied) continue;
      if (state[w] !== OPEN) continue;
      const c = ringCount[w];
      const slot = w * L + (c % L);
      if (c >= L && ring[slot] > now) {
        this.close(w, now);
        continue;
      }
      const size = isNode ? proxyBytes : dnsBytes;
      cur += isNode ? proxyDt : dnsDt;
      ring[slot] = cur;
      ringCount[w] = c + 1;
      bytesPerWatcher[w] += size;
      bytes += size;
      delivered++;
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

  /** The client lists everything it watches, then resumes watching; missed changes arrive with the list. */
  private reopen(w: number): void {
    if (this.state[w] !== CLOSED) return;
    const r = w % this.config.replicas;
    const now = this.sim.now;
    const isNode = w < this.nodes;
    const size = isNode ? this.listSizes.proxyListBytes() : this.listSizes.dnsListBytes();
    const start = this.busy[r] > now ? this.busy[r] : now;
    const arrival = start + size * this.usPerByte;
    this.busy[r] = arrival;
    this.state[w] = OPEN;
    this.relists++;
    this.relistBytes += size;
    this.bytes += size;
    this.bytesPerWatcher[w] += size;
    const L = this.config.bufferEvents;
    for (let i = 0; i < L; i++) this.ring[w * L + i] = -Infinity;
    this.ring[w * L] = arrival;
    this.ringCount[w] = 1;
    // Changes this replica already dispatched arrive with the list; later ones through the watch as usual.
    const upTo = this.dispatched[r];
    const sampled = this.restarted[w] === 0;
    this.restarted[w] = 0;
    for (let k = this.lastChange[w] + 1; k <= upTo; k++) {
      if (isNode) {
        if (this.logProxied[k] === 1) this.proxies.receive(w, arrival, sampled ? this.logTrigger[k] : Number.NaN);
      } else {
        this.dns?.receive(w - this.nodes, arrival, k);
      }
    }
    if (upTo > this.lastChange[w]) this.lastChange[w] = upTo;
  }

  private growLog(): void {
    const cap = this.logTrigger.length * 2;
    this.logProxyBytes = growFloat64(this.logProxyBytes, cap);
    this.logDnsBytes = growFloat64(this.logDnsBytes, cap);
    this.logTrigger = growFloat64(this.logTrigger, cap);
    this.logProxied = growUint8(this.logProxied, cap);
  }
}
