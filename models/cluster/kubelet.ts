/**
 * The kubelets: what each node does to the backend pods bound to it, and when.
 *
 * Start (pkg/kubelet: SyncPod, PLEG relist every 1 s, the status manager): the pod's sandbox comes up after
 * `sandbox` and the status carrying its IP is written; a container without a readiness probe is Ready as soon as it
 * runs, so when the pod's startup time is no longer than the sandbox's, IP and Ready=True go in one write
 * (CL2's pause pods); otherwise Ready follows at `startup`.
 * Deletion (SyncTerminatingPod, KEP-1672): readiness probes keep running while the containers shut down, so a Ready
 * pod keeps serving until they stop after `termination`; then a status with Ready=False; after `cleanup` (volumes
 * torn down) the terminal status and the delete, back to back (status manager syncPod, canBeDeleted).
 *
 * A node that is down runs nothing the API sees: what falls due meanwhile waits until it is back. On return the
 * kubelet reconnects after a per-node delay within `statusSyncPeriod`, finishes what waited (a deletion whose grace
 * period has run out kills the containers at once), and its status manager writes back Ready=True for the pods the
 * node lifecycle controller marked NotReady (status_manager.go syncBatch / needsReconcile, every 10 s).
 */
import type { RandomStream, Spread } from "../../engine/random.js";
import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import { growFloat64 } from "../../engine/typed-arrays.js";
import type { Pods } from "./pods.js";

export interface KubeletConfig {
  /** Binding to the status with the pod IP. */
  sandbox: Spread;
  /** Containers stopped to the terminal status and delete. */
  cleanup: Spread;
  /** The status manager's full pass (and the spread of reconnect times after an outage). */
  statusSyncPeriod: Micros;
}

const IP = 0;
const READY = 1;
const STOPPED = 2;
const REMOVED = 3;

export class Kubelets {
  /** Actions that fell due while their node was down: pod * 4 + action, per node. */
  private readonly deferred = new Map<number, number[]>();
  private readonly act: (arg: number) => void;
  /** Per pod, the time its Ready write is due (Ready with the IP when not later than it). */
  private readyAt = new Float64Array(1024);
  /** Called when a node is back and has caught up (its pods' statuses written again). */
  onNodeCaughtUp: (node: number) => void = () => {};

  constructor(
    private readonly sim: Simulation,
    private readonly pods: Pods,
    private readonly config: KubeletConfig,
    private readonly rng: RandomStream,
  ) {
    this.act = (arg) => this.run(Math.floor(arg / 4), arg % 4);
  }

  /** The pod was bound to its node: sandbox, IP, then Ready after `startup`. */
  start(pod: number, startup: Micros): void {
    const sandbox = this.rng.spread(this.config.sandbox);
    if (pod >= this.readyAt.length) this.readyAt = growFloat64(this.readyAt, Math.max(pod + 1, 2 * this.readyAt.length));
    this.readyAt[pod] = this.sim.now + Math.max(sandbox, startup);
    this.sim.after(sandbox, this.act, pod * 4 + IP);
    if (startup > sandbox) this.sim.after(startup, this.act, pod * 4 + READY);
  }

  /** Deletion requested: the containers stop after `termination`, the pod is gone after the cleanup. */
  terminate(pod: number, termination: Micros): void {
    const c = this.pods.cluster;
    if (c.podNode[pod] < 0) {
      // never scheduled: the apiserver deletes an unbound pod at once
      this.pods.remove(pod);
      return;
    }
    if (c.nodeUp[c.podNode[pod]] === 0) {
      this.defer(c.podNode[pod], pod * 4 + STOPPED);
      return;
    }
    this.sim.after(termination, this.act, pod * 4 + STOPPED);
  }

  /** The node came back: after its reconnect delay, it catches up on what waited and re-reports Ready pods. */
  nodeReturned(node: number): void {
    const delay = Math.floor(this.rng.uniform() * this.config.statusSyncPeriod);
    this.sim.after(delay, () => this.catchUp(node));
  }

  private catchUp(node: number): void {
    const c = this.pods.cluster;
    if (c.nodeUp[node] === 0) return;
    const waiting = this.deferred.get(node);
    this.deferred.delete(node);
    if (waiting !== undefined) for (const a of waiting) this.run(Math.floor(a / 4), a % 4);
    this.onNodeCaughtUp(node);
  }

  /** Ready again for the pods of `pods` that the node lifecycle controller marked NotReady (a status write each). */
  reconcileMarked(pods: readonly number[]): void {
    const c = this.pods.cluster;
    for (const p of pods) {
      // pods the kubelet never started here (the cluster's first ones) have been Ready from time zero
      const readyAt = p < this.readyAt.length ? this.readyAt[p] : 0;
      if (this.pods.marked[p] === 1 && c.podAlive[p] === 1 && c.podTerminating[p] === 0 && c.podHasIP[p] === 1 && readyAt <= this.sim.now) {
        this.pods.setReady(p, true);
      }
    }
  }

  private run(pod: number, action: number): void {
    const c = this.pods.cluster;
    if (c.podAlive[pod] === 0) return;
    const node = c.podNode[pod];
    if (c.nodeUp[node] === 0) {
      this.defer(node, pod * 4 + action);
      return;
    }
    switch (action) {
      case IP:
        if (c.podTerminating[pod] === 1 || c.podHasIP[pod] === 1) return;
        this.pods.ipAssigned(pod, this.readyAt[pod] <= this.sim.now);
        return;
      case READY:
        if (c.podTerminating[pod] === 1 || c.podHasIP[pod] === 0) return;
        this.pods.setReady(pod, true);
        return;
      case STOPPED:
        this.pods.containersStopped(pod);
        this.sim.after(this.rng.spread(this.config.cleanup), this.act, pod * 4 + REMOVED);
        return;
      case REMOVED:
        this.pods.remove(pod);
        return;
    }
  }

  private defer(node: number, action: number): void {
    let list = this.deferred.get(node);
    if (list === undefined) {
      list = [];
      this.deferred.set(node, list);
    }
    list.push(action);
  }
}
