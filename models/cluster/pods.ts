/**
 * Every change of a backend pod, in one place: the cluster state it sets, the API write it costs, and whether the
 * endpoints controllers see it (staging/src/k8s.io/endpointslice/util/controller_utils.go podEndpointsChanged: a
 * deletionTimestamp, the Ready condition or the pod IPs changed).
 *
 * Trigger times follow the controllers' trigger-time tracker (pkg/controller/util/endpoint/trigger_time_tracker.go):
 * a pod's trigger time is its Ready condition's lastTransitionTime, and only a pod whose trigger time moved since the
 * last sync contributes one. So a Ready flip carries the time of the flip; an IP appearing, a deletion request and a
 * removal carry none (NaN): the slice writes they cause carry no trigger of their own.
 */
import type { Simulation } from "../../engine/simulation.js";
import { growUint8 } from "../../engine/typed-arrays.js";
import type { Cluster } from "./cluster.js";

/** Objects the model counts instead of following one by one. */
export type CountedKind = "pods" | "nodes" | "leases" | "events";

/** What the rest of the model hears of pods and the cluster's other objects. */
export interface PodSink {
  /** One API write of a backend pod object; `endpoint` when it changes what the endpoints controllers publish. */
  podWritten(pod: number, endpoint: boolean, trigger: number): void;
  /** The kubelet's last two calls: the terminal status (the endpoint goes) and the delete of the object. */
  podRemoved(pod: number): void;
  /** `count` writes of counted objects (pods that back no Service, Nodes, Leases, Events). */
  counted(kind: CountedKind, count: number): void;
}

/** Who else follows pod changes (the ReplicaSet controller's counts). */
export interface PodListener {
  podCreated(pod: number): void;
  /** Ready flipped, or the pod started terminating, or it was removed. */
  podStateChanged(pod: number): void;
}

/**
 * Events a pod's life records: Scheduled (kube-scheduler), Pulled (image already present), Created and Started
 * (kubelet); Killing when it is deleted.
 */
export const EVENTS_PER_POD_START = 4;
export const EVENTS_PER_POD_STOP = 1;

export class Pods {
  private readonly listeners: PodListener[] = [];
  /** 1 while the pod's API status says NotReady only because the node lifecycle controller marked it so. */
  marked = new Uint8Array(1024);

  constructor(
    private readonly sim: Simulation,
    readonly cluster: Cluster,
    private readonly sink: PodSink,
  ) {}

  listen(listener: PodListener): void {
    this.listeners.push(listener);
  }

  /** The ReplicaSet controller's create: an unscheduled pod of the Service's ReplicaSet of `revision`. */
  create(service: number, revision = this.cluster.services[service].revision): number {
    const pod = this.cluster.createPending(service, this.sim.now, revision);
    this.clearMark(pod);
    this.sink.podWritten(pod, false, Number.NaN);
    for (const l of this.listeners) l.podCreated(pod);
    return pod;
  }

  /** The scheduler's binding, then the kubelet's first status (Pending, Ready=False): two writes, no endpoint yet. */
  bind(pod: number, node: number): void {
    this.cluster.bind(pod, node);
    this.sink.podWritten(pod, false, Number.NaN);
    this.sink.podWritten(pod, false, Number.NaN);
    this.sink.counted("events", EVENTS_PER_POD_START);
  }

  /**
   * A pod that backs no Service is bound to `node` and runs: the binding, the first status and the running, Ready
   * status (counted, with its Events).
   */
  otherBound(node: number): void {
    this.cluster.nodeOtherPods[node]++;
    this.cluster.nodeOtherReady[node]++;
    this.sink.counted("pods", 3);
    this.sink.counted("events", EVENTS_PER_POD_START);
  }

  /** The kubelet's status with the pod IP: the endpoint appears, Ready in the same write when the containers are. */
  ipAssigned(pod: number, ready: boolean): void {
    const now = this.sim.now;
    this.cluster.assignIP(pod, now);
    if (ready) this.cluster.setReady(pod, true, now);
    this.sink.podWritten(pod, true, ready ? now : Number.NaN);
    if (ready) this.changed(pod);
  }

  /** A status write flipping the Ready condition (kubelet, or the node lifecycle controller marking it NotReady). */
  setReady(pod: number, ready: boolean, byNodeController = false): void {
    const c = this.cluster;
    if (c.podAlive[pod] === 0 || (c.podReady[pod] === 1) === ready) return;
    c.setReady(pod, ready, this.sim.now);
    this.clearMark(pod);
    if (byNodeController && !ready) this.marked[pod] = 1;
    this.sink.podWritten(pod, true, this.sim.now);
    this.changed(pod);
  }

  /** A delete request: deletionTimestamp set (terminating; still serving while Ready). */
  requestDeletion(pod: number): boolean {
    const c = this.cluster;
    if (c.podAlive[pod] === 0 || c.podTerminating[pod] === 1) return false;
    c.startTermination(pod);
    this.sink.podWritten(pod, c.podHasIP[pod] === 1, Number.NaN);
    if (c.podNode[pod] >= 0) this.sink.counted("events", EVENTS_PER_POD_STOP);
    this.changed(pod);
    return true;
  }

  /** The containers stopped: a status write with Ready=False (the endpoint stops serving). */
  containersStopped(pod: number): void {
    const c = this.cluster;
    if (c.podAlive[pod] === 0) return;
    if (c.podReady[pod] === 1) this.setReady(pod, false);
    else this.sink.podWritten(pod, false, Number.NaN);
  }

  /** Terminal status and delete, back to back (kubelet status manager syncPod, canBeDeleted). */
  remove(pod: number): void {
    const c = this.cluster;
    if (c.podAlive[pod] === 0) return;
    c.removePod(pod);
    this.sink.podRemoved(pod);
    this.changed(pod);
  }

  /** A pod that backs no Service is created (its own ReplicaSet's write). */
  otherCreated(): void {
    this.sink.counted("pods", 1);
  }

  /**
   * A node's kubelet, back after an outage, finishes deleting the pods that back no Service it was asked to delete
   * and writes the others Ready again.
   */
  othersCaughtUp(node: number): void {
    const c = this.cluster;
    const gone = c.nodeOtherTerminating[node];
    c.nodeOtherPods[node] -= gone;
    c.nodeOtherTerminating[node] = 0;
    const restored = c.nodeOtherPods[node] - Math.min(c.nodeOtherReady[node], c.nodeOtherPods[node]);
    c.nodeOtherReady[node] = c.nodeOtherPods[node];
    this.counted("pods", 2 * gone + restored);
    this.counted("events", gone * EVENTS_PER_POD_STOP);
  }

  /** Counted writes of other objects. */
  counted(kind: CountedKind, count: number): void {
    if (count > 0) this.sink.counted(kind, count);
  }

  /**
   * A synthetic endpoint change (KEP-752's "single endpoint update"): the pod is replaced in the same instant by a
   * running, Ready one of the same ReplicaSet.
   */
  replaceInPlace(pod: number): number {
    const c = this.cluster;
    const service = c.podService[pod];
    this.remove(pod);
    const fresh = c.createPod(service, this.sim.now, true);
    c.podRevision[fresh] = c.podRevision[pod];
    this.clearMark(fresh);
    this.sink.podWritten(fresh, true, this.sim.now);
    for (const l of this.listeners) l.podCreated(fresh);
    return fresh;
  }

  /** A status write that changes nothing the endpoints controllers read (a DisruptionTarget condition, say). */
  statusWrite(pod: number): void {
    if (this.cluster.podAlive[pod] === 1) this.sink.podWritten(pod, false, Number.NaN);
  }

  private changed(pod: number): void {
    for (const l of this.listeners) l.podStateChanged(pod);
  }

  private clearMark(pod: number): void {
    if (pod >= this.marked.length) this.marked = growUint8(this.marked, Math.max(pod + 1, 2 * this.marked.length));
    this.marked[pod] = 0;
  }
}
