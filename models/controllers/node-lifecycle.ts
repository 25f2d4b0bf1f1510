/**
 * The node lifecycle controller (pkg/controller/nodelifecycle/node_lifecycle_controller.go) and what it does when
 * nodes stop renewing their Leases.
 *
 * monitorNodeHealth runs every --node-monitor-period (5 s) after the previous pass returns (wait.Until). A pass lists
 * the nodes (informer order: a fixed random order here) and processes them with `workers` goroutines (ParallelizeUntil,
 * nodeUpdateWorkerSize 8; one before v1.27). A node whose last Lease renewal is older than
 * --node-monitor-grace-period (50 s since v1.32, 40 s before) when its worker reaches it is set Ready=Unknown: one
 * node UpdateStatus, the NoSchedule taint (a GET and a PATCH), a NodeNotReady Event, then MarkPodsNotReady
 * (pkg/controller/util/node/controller_utils.go): one pod UpdateStatus per Ready pod on the node, every pod (not only
 * Service backends), each with a NodeNotReady Event from v1.19 (PR #87743). All of it goes through the controller's
 * one client (--kube-api-qps / --kube-api-burst), Events included (event-sink.ts), so a large outage is marked at the
 * client's rate and a pass can run for minutes.
 *
 * Eviction is taint based. The pass after a node turned Unknown queues it for the NoExecute taint
 * (node.kubernetes.io/unreachable) in its zone's rate-limited queue, processed every 100 ms with a token bucket of
 * burst 1 whose rate follows the zone's state, computed at the end of each pass (ComputeZoneState): fully disrupted
 * (no Ready node) or partially disrupted (more than 2 not Ready and at least --unhealthy-zone-threshold of the zone)
 * or normal. Normal and fully disrupted zones taint at --node-eviction-rate; partially disrupted ones at
 * --secondary-node-eviction-rate when the zone has more than --large-cluster-size-threshold nodes, else not at all.
 * When every zone is fully disrupted the controller stops all eviction and untaints every node ("master disruption"),
 * and on leaving that mode restarts every node's grace period. The taint eviction controller (taint-eviction.ts)
 * deletes the pods `tolerationSeconds` later. A node that renews again is Ready at the next pass: its taints come off
 * (a GET and a PATCH each) and pending evictions are cancelled.
 */
import type { RandomStream } from "../../engine/random.js";
import type { Simulation } from "../../engine/simulation.js";
import { TokenBucket } from "../../engine/token-bucket.js";
import type { Micros } from "../../engine/time.js";
import type { Pods } from "../cluster/pods.js";
import { ApiClient, type ApiCall } from "./api-client.js";
import { EventSink } from "./event-sink.js";

export interface NodeLifecycleConfig {
  monitorPeriod: Micros;
  gracePeriod: Micros;
  evictionRate: number;
  secondaryEvictionRate: number;
  unhealthyZoneThreshold: number;
  largeClusterSizeThreshold: number;
  /** Nodes processed in parallel by a pass (8 from v1.27, PR #114296; 1 before). */
  workers: number;
  /** A NodeNotReady Event per pod marked (v1.19 on). */
  podEvents: boolean;
  qps: number;
  burst: number;
  writeLatency: Micros;
}

export type ZoneState = "normal" | "partial" | "full";

/** ComputeZoneState. */
export function zoneState(ready: number, notReady: number, unhealthyThreshold: number): ZoneState {
  if (ready === 0 && notReady > 0) return "full";
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyThreshold) return "partial";
  return "normal";
}

/** setLimiterInZone: the NoExecute tainting rate of a zone in `state` with `zoneSize` nodes. */
export function zoneEvictionRate(
  state: ZoneState,
  zoneSize: number,
  c: Pick<NodeLifecycleConfig, "evictionRate" | "secondaryEvictionRate" | "largeClusterSizeThreshold">,
): number {
  if (state === "partial") return zoneSize > c.largeClusterSizeThreshold ? c.secondaryEvictionRate : 0;
  return c.evictionRate;
}

/** Where the taint eviction controller hears of NoExecute taints. */
export interface TaintListener {
  nodeTainted(node: number): void;
  nodeUntainted(node: number): void;
}

interface Outage {
  marked: number;
  first: Micros;
  last: Micros;
}

const EVICTION_PERIOD = 100_000; // scheduler.NodeEvictionPeriod

export class NodeLifecycleController {
  readonly client: ApiClient;
  readonly events: EventSink;
  nodesNotReady = 0;
  podsMarked = 0;
  taints = 0;
  passes = 0;
  /** 1 while the node's Ready condition is True as the controller last wrote or saw it. */
  readonly readyCondition: Uint8Array;
  readonly tainted: Uint8Array;
  taintListener: TaintListener = { nodeTainted() {}, nodeUntainted() {} };
  /** Called for every pod marked NotReady (an observer: tests, traces). */
  onPodMarked: () => void = () => {};

  private readonly lastRenew: Float64Array;
  /** When the node's kubelet reported again after an outage (Lease and Ready status), or -Infinity. */
  private readonly reportedAt: Float64Array;
  private readonly queued: Uint8Array;
  private readonly renewPhase: Float64Array;
  private readonly order: Int32Array;
  private readonly watching = new Set<number>();
  private readonly zoneNodes: Int32Array;
  private readonly zoneNotReady: Int32Array;
  private readonly zoneStates: ZoneState[];
  private readonly zoneRate: Float64Array;
  private readonly zoneNextToken: Float64Array;
  private readonly zoneQueue: number[][];
  private readonly zoneScheduled: Uint8Array;
  private masterDisruption = false;
  /** Grace periods count from here at the earliest (reset on leaving master disruption). */
  private graceFloor = -Infinity;
  /** Pods that back no Service marked NotReady, per node (the kubelet writes them Ready again on return). */
  readonly otherMarked: Int32Array;
  private readonly outages: Outage[] = [];

  constructor(
    private readonly sim: Simulation,
    private readonly pods: Pods,
    private readonly config: NodeLifecycleConfig,
    rng: RandomStream,
    leaseRenewInterval: Micros,
  ) {
    const c = pods.cluster;
    const n = c.nodes;
    this.client = new ApiClient(sim, new TokenBucket(config.qps, config.burst), config.writeLatency);
    this.events = new EventSink(this.client, () => pods.counted("events", 1));
    this.readyCondition = new Uint8Array(n).fill(1);
    this.tainted = new Uint8Array(n);
    this.queued = new Uint8Array(n);
    this.lastRenew = new Float64Array(n);
    this.reportedAt = new Float64Array(n).fill(-Infinity);
    this.otherMarked = new Int32Array(n);
    this.renewPhase = new Float64Array(n);
    for (let i = 0; i < n; i++) this.renewPhase[i] = Math.floor(rng.uniform() * leaseRenewInterval);
    this.order = Int32Array.from(rng.shuffle(Array.from({ length: n }, (_, i) => i)));
    this.zoneNodes = new Int32Array(c.zones);
    for (let i = 0; i < n; i++) this.zoneNodes[c.nodeZone[i]]++;
    this.zoneNotReady = new Int32Array(c.zones);
    this.zoneStates = new Array<ZoneState>(c.zones).fill("normal");
    this.zoneRate = new Float64Array(c.zones).fill(config.evictionRate);
    this.zoneNextToken = new Float64Array(c.zones);
    this.zoneQueue = Array.from({ length: c.zones }, () => []);
    this.zoneScheduled = new Uint8Array(c.zones);
    this.leaseInterval = leaseRenewInterval;
    sim.schedule(Math.floor(rng.uniform() * config.monitorPeriod), () => this.pass());
  }

  private readonly leaseInterval: Micros;

  /** The node stopped renewing (down) or its kubelet reported again after an outage (up). */
  nodeReachable(node: number, up: boolean): void {
    if (!up) {
      const now = this.sim.now;
      const phase = this.renewPhase[node];
      this.lastRenew[node] = now < phase ? phase - this.leaseInterval : phase + Math.floor((now - phase) / this.leaseInterval) * this.leaseInterval;
      this.reportedAt[node] = -Infinity;
    } else {
      this.reportedAt[node] = this.sim.now;
    }
    this.watching.add(node);
  }

  /** The node's last Lease renewal the controller saw before it stopped renewing. */
  lastRenewal(node: number): Micros {
    return this.lastRenew[node];
  }

  /** The outage whose marking touched most pods: pods marked, and first to last mark. */
  largestOutage(): { marked: number; duration: Micros } {
    let best: Outage | undefined;
    for (const o of this.outages) if (best === undefined || o.marked > best.marked) best = o;
    return best === undefined ? { marked: 0, duration: 0 } : { marked: best.marked, duration: best.last - best.first };
  }

  get zones(): readonly ZoneState[] {
    return this.zoneStates;
  }

  private pass(): void {
    this.passes++;
    const list = [...this.watching].sort((a, b) => this.rank(a) - this.rank(b));
    let next = 0;
    let running = 0;
    const finish = (): void => {
      this.handleDisruption();
      this.sim.after(this.config.monitorPeriod, () => this.pass());
    };
    const work = (): void => {
      while (next < list.length) {
        const calls = this.examine(list[next++]);
        if (calls.length > 0) {
          running++;
          this.client.run(calls, () => {
            running--;
            work();
          });
          return;
        }
      }
      if (running === 0) finish();
    };
    if (list.length === 0) {
      finish();
      return;
    }
    for (let w = 0; w < this.config.workers && next < list.length; w++) work();
  }

  private rankOf: Int32Array | undefined;
  private rank(node: number): number {
    if (this.rankOf === undefined) {
      this.rankOf = new Int32Array(this.order.length);
      this.order.forEach((n, i) => {
        this.rankOf![n] = i;
      });
    }
    return this.rankOf[node];
  }

  /** tryUpdateNodeHealth and what follows for one node, when a worker reaches it: the API calls it costs. */
  private examine(node: number): ApiCall[] {
    const c = this.pods.cluster;
    const now = this.sim.now;
    const back = this.reportedAt[node] > -Infinity && c.nodeUp[node] === 1;
    if (this.readyCondition[node] === 1) {
      if (back || c.nodeUp[node] === 1) {
        this.watching.delete(node);
        return [];
      }
      if (now <= Math.max(this.lastRenew[node], this.graceFloor) + this.config.gracePeriod) return [];
      return this.markNotReady(node);
    }
    if (back) {
      this.readyCondition[node] = 1;
      this.zoneNotReady[c.nodeZone[node]]--;
      this.watching.delete(node);
      return this.markReachable(node);
    }
    if (!this.masterDisruption && this.tainted[node] === 0 && this.queued[node] === 0) {
      this.queued[node] = 1;
      this.zoneQueue[c.nodeZone[node]].push(node);
      this.scheduleZone(c.nodeZone[node]);
    }
    return [];
  }

  private markNotReady(node: number): ApiCall[] {
    const c = this.pods.cluster;
    if (this.zoneNotReady.every((z) => z === 0)) this.outages.push({ marked: 0, first: Number.NaN, last: Number.NaN });
    this.readyCondition[node] = 0;
    this.zoneNotReady[c.nodeZone[node]]++;
    this.nodesNotReady++;
    const nodeWrite: ApiCall = () => {
      this.pods.counted("nodes", 1);
      return true;
    };
    const get: ApiCall = () => true;
    const calls: ApiCall[] = [
      () => {
        this.pods.counted("nodes", 1);
        this.events.record();
        return true;
      },
      get,
      nodeWrite,
    ];
    // MarkPodsNotReady: the node's pods in informer order; only a pod whose Ready condition changes costs a call
    const backends = c.podsOn(node).filter((p) => c.podAlive[p] === 1 && c.podReady[p] === 1);
    const others = c.nodeOtherReady[node];
    const sequence = this.shuffle(backends.concat(new Array<number>(others).fill(-1)), node);
    for (const pod of sequence) {
      calls.push(pod >= 0 ? () => this.markPod(pod) : () => this.markOther(node));
    }
    return calls;
  }

  private markPod(pod: number): boolean {
    const c = this.pods.cluster;
    if (c.podAlive[pod] === 0 || c.podReady[pod] === 0) return true;
    this.pods.setReady(pod, false, true);
    this.noteMarked();
    return true;
  }

  private markOther(node: number): boolean {
    const c = this.pods.cluster;
    if (c.nodeOtherReady[node] === 0) return true;
    c.nodeOtherReady[node]--;
    this.otherMarked[node]++;
    this.pods.counted("pods", 1);
    this.noteMarked();
    return true;
  }

  private noteMarked(): void {
    this.podsMarked++;
    this.onPodMarked();
    if (this.config.podEvents) this.events.record();
    const now = this.sim.now;
    const o = this.outages[this.outages.length - 1];
    if (o.marked === 0) o.first = now;
    o.marked++;
    o.last = now;
  }

  /** markNodeAsReachable: out of the tainting queue, the NoExecute taint removed; the NoSchedule taint too. */
  private markReachable(node: number): ApiCall[] {
    this.queued[node] = 0;
    const calls: ApiCall[] = this.tainted[node] === 1 ? this.untaintCalls(node) : [];
    calls.push(
      () => true,
      () => {
        this.pods.counted("nodes", 1);
        return true;
      },
    );
    return calls;
  }

  private handleDisruption(): void {
    const c = this.pods.cluster;
    const states = this.zoneStates.map((_, z) => zoneState(this.zoneNodes[z] - this.zoneNotReady[z], this.zoneNotReady[z], this.config.unhealthyZoneThreshold));
    const allFull = states.every((s) => s === "full");
    if (allFull && !this.masterDisruption) {
      // "Controller detected that all Nodes are not-Ready. Entering master disruption mode."
      this.masterDisruption = true;
      for (let n = 0; n < c.nodes; n++) {
        this.queued[n] = 0;
        if (this.tainted[n] === 1) this.untaint(n);
      }
      for (let z = 0; z < c.zones; z++) {
        this.zoneQueue[z].length = 0;
        this.swapRate(z, 0);
        this.zoneStates[z] = "full";
      }
      return;
    }
    if (this.masterDisruption && !allFull) {
      // leaving it: every node's grace period starts again now
      this.masterDisruption = false;
      this.graceFloor = this.sim.now;
      for (let z = 0; z < c.zones; z++) {
        this.zoneStates[z] = states[z];
        this.swapRate(z, zoneEvictionRate(states[z], this.zoneNodes[z], this.config));
      }
      return;
    }
    if (this.masterDisruption) return;
    for (let z = 0; z < c.zones; z++) {
      if (states[z] === this.zoneStates[z]) continue;
      this.zoneStates[z] = states[z];
      this.swapRate(z, zoneEvictionRate(states[z], this.zoneNodes[z], this.config));
    }
  }

  private untaint(node: number): void {
    this.client.run(this.untaintCalls(node), () => {});
  }

  /** RemoveTaintOffNode: a GET and a PATCH; pending evictions are cancelled. */
  private untaintCalls(node: number): ApiCall[] {
    return [
      () => true,
      () => {
        this.tainted[node] = 0;
        this.pods.counted("nodes", 1);
        this.taintListener.nodeUntainted(node);
        return true;
      },
    ];
  }

  /** RateLimitedTimedQueue.SwapLimiter: a new bucket of burst 1, empty if the old one had no token. */
  private swapRate(zone: number, rate: number): void {
    const old = this.zoneRate[zone];
    if (rate === old) return;
    const now = this.sim.now;
    const hadToken = old > 0 && this.zoneNextToken[zone] <= now;
    this.zoneRate[zone] = rate;
    this.zoneNextToken[zone] = rate > 0 ? (hadToken ? now : now + 1e6 / rate) : Infinity;
    this.scheduleZone(zone);
  }

  private scheduleZone(zone: number): void {
    if (this.zoneScheduled[zone] === 1 || this.zoneQueue[zone].length === 0 || !(this.zoneRate[zone] > 0)) return;
    const at = Math.max(this.sim.now, this.zoneNextToken[zone]);
    this.zoneScheduled[zone] = 1;
    this.sim.schedule(Math.ceil(at / EVICTION_PERIOD) * EVICTION_PERIOD, () => this.taintNext(zone));
  }

  /** doNoExecuteTaintingPass for one zone: the head of its queue gets the NoExecute taint if a token is there. */
  private taintNext(zone: number): void {
    this.zoneScheduled[zone] = 0;
    const queue = this.zoneQueue[zone];
    if (!(this.zoneRate[zone] > 0) || this.zoneNextToken[zone] > this.sim.now) {
      this.scheduleZone(zone);
      return;
    }
    const c = this.pods.cluster;
    while (queue.length > 0) {
      const node = queue.shift()!;
      if (this.queued[node] === 0) continue;
      this.queued[node] = 0;
      if (this.readyCondition[node] === 1 || this.tainted[node] === 1) continue;
      this.zoneNextToken[zone] = this.sim.now + 1e6 / this.zoneRate[zone];
      this.client.run(
        [
          () => true,
          () => {
            if (this.readyCondition[node] === 0 && c.nodeUp[node] === 0 && !this.masterDisruption) {
              this.tainted[node] = 1;
              this.taints++;
              this.pods.counted("nodes", 1);
              this.taintListener.nodeTainted(node);
            }
            return true;
          },
        ],
        () => {},
      );
      break;
    }
    this.scheduleZone(zone);
  }

  /** The informer's order of a node's pods: a fixed shuffle per node (no stream of its own is consumed). */
  private shuffle(list: number[], node: number): number[] {
    let h = (node * 2654435761) >>> 0;
    for (let i = list.length - 1; i > 0; i--) {
      h = (Math.imul(h ^ (h >>> 15), 2246822519) + 3266489917) >>> 0;
      const j = h % (i + 1);
      const t = list[i];
      list[i] = list[j];
      list[j] = t;
    }
    return list;
  }
}
