/**
 * kube-scheduler as a queue with a throughput: pending pods are bound in arrival order, one POST pods/binding each
 * (DefaultBinder.Bind), at most `throughput` per second with a burst of `burst` (its client's token bucket; CL2's
 * load test requires a scheduling throughput of 100 pods/s, clusterloader2/testing/load/modules/scheduler-throughput,
 * and kube-scheduler's client defaults to 50 QPS / burst 100, pkg/scheduler/apis/config/v1/defaults.go).
 * Nodes are chosen uniformly among those that are up (no resource fit is modelled). A pod deleted while it waits is
 * skipped. Pods that back no Service are bound the same way and counted per node.
 */
import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import { TokenBucket } from "../../engine/token-bucket.js";
import type { Kubelets } from "./kubelet.js";
import type { Pods } from "./pods.js";

const UNSCHEDULABLE_RETRY = 10_000_000;

export interface SchedulerConfig {
  throughput: number;
  burst: number;
}

export class Scheduler {
  bindings = 0;
  private readonly bucket: TokenBucket;
  private readonly bindHandler: (pod: number) => void;
  private readonly bindOtherHandler: () => void;
  private readonly startupOf = new Map<number, Micros>();

  constructor(
    private readonly sim: Simulation,
    private readonly pods: Pods,
    private readonly kubelets: Kubelets,
    config: SchedulerConfig,
  ) {
    this.bucket = new TokenBucket(config.throughput, config.burst);
    this.bindHandler = (pod) => this.bind(pod);
    this.bindOtherHandler = () => this.bindOther();
  }

  /** A new pod waits to be bound; it becomes Ready `startup` after its binding. */
  enqueue(pod: number, startup: Micros): void {
    this.startupOf.set(pod, startup);
    this.sim.schedule(this.bucket.reserve(this.sim.now), this.bindHandler, pod);
  }

  /** A new pod that backs no Service waits to be bound. */
  enqueueOther(): void {
    this.sim.schedule(this.bucket.reserve(this.sim.now), this.bindOtherHandler);
  }

  private bind(pod: number): void {
    const c = this.pods.cluster;
    if (c.podAlive[pod] === 0 || c.podTerminating[pod] === 1) {
      this.startupOf.delete(pod);
      return;
    }
    const node = c.pickNode();
    if (node < 0) {
      this.unschedulable(this.bindHandler, pod);
      return;
    }
    const startup = this.startupOf.get(pod) ?? 0;
    this.startupOf.delete(pod);
    this.bindings++;
    this.pods.bind(pod, node);
    this.kubelets.start(pod, startup);
  }

  private bindOther(): void {
    const node = this.pods.cluster.pickNode();
    if (node < 0) {
      this.unschedulable(this.bindOtherHandler, 0);
      return;
    }
    this.bindings++;
    this.pods.otherBound(node);
  }

  /** No node is up: the pod waits in the unschedulable queue and is tried again (pod backoff: at most 10 s). */
  private unschedulable(handler: (arg: number) => void, arg: number): void {
    this.sim.after(UNSCHEDULABLE_RETRY, handler, arg);
  }
}
