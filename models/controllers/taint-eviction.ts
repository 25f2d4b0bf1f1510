/**
 * The taint eviction controller (pkg/controller/tainteviction, before v1.29 the node lifecycle controller's
 * NoExecuteTaintManager): when a node gets a NoExecute taint, every pod on it that tolerates it for
 * `tolerationSeconds` (the DefaultTolerationSeconds admission plugin gives every pod 300 s for
 * node.kubernetes.io/unreachable and not-ready) is deleted that long after the controller saw the taint
 * (processPodOnNode: now + minTolerationTime); if the taint goes first, the deletions are cancelled. Each pod's
 * deletion runs on its own timer: a GET, a status PATCH adding the DisruptionTarget condition (from v1.26), the
 * DELETE, and a TaintManagerEviction Event, all through the controller's client (its own from v1.29, where it
 * became a controller of its own; before, the node lifecycle controller's). The pods stay Terminating on the
 * unreachable node (PodGC force-deletes only with the out-of-service taint) while their ReplicaSets replace them.
 */
import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import type { Kubelets } from "../cluster/kubelet.js";
import type { Pods } from "../cluster/pods.js";
import type { ApiCall, ApiClient } from "./api-client.js";
import type { EventSink } from "./event-sink.js";
import type { TaintListener } from "./node-lifecycle.js";
import type { ReplicaSetController } from "./replicaset.js";

export interface TaintEvictionConfig {
  tolerationSeconds: Micros;
  /** GET + status PATCH before the DELETE (v1.26 on). */
  disruptionCondition: boolean;
}

export class TaintEvictionController implements TaintListener {
  evictions = 0;
  /** Bumped when a node's taint goes: deletions scheduled under an older generation are cancelled. */
  private readonly generation: Int32Array;

  constructor(
    private readonly sim: Simulation,
    private readonly pods: Pods,
    private readonly kubelets: Kubelets,
    private readonly replicaSets: ReplicaSetController,
    private readonly client: ApiClient,
    private readonly events: EventSink,
    private readonly config: TaintEvictionConfig,
  ) {
    this.generation = new Int32Array(pods.cluster.nodes);
  }

  nodeTainted(node: number): void {
    const gen = ++this.generation[node];
    this.sim.after(this.config.tolerationSeconds, () => {
      if (this.generation[node] === gen) this.evict(node);
    });
  }

  nodeUntainted(node: number): void {
    this.generation[node]++;
  }

  private evict(node: number): void {
    const c = this.pods.cluster;
    for (const pod of c.podsOn(node)) {
      if (c.podTerminating[pod] === 1) continue;
      this.client.run(
        this.deletion(
          () => {
            if (!this.pods.requestDeletion(pod)) return;
            this.kubelets.terminate(pod, 0);
          },
          () => this.pods.statusWrite(pod),
        ),
        () => {},
      );
    }
    const others = c.nodeOtherPods[node] - c.nodeOtherTerminating[node];
    for (let i = 0; i < others; i++) {
      this.client.run(
        this.deletion(
          () => {
            if (c.nodeOtherPods[node] - c.nodeOtherTerminating[node] <= 0) return;
            c.nodeOtherTerminating[node]++;
            this.pods.counted("pods", 1);
            this.replicaSets.replaceOthers(1);
          },
          () => this.pods.counted("pods", 1),
        ),
        () => {},
      );
    }
  }

  private deletion(remove: () => void, patch: () => void): ApiCall[] {
    const del: ApiCall = () => {
      this.evictions++;
      remove();
      this.events.record();
      return true;
    };
    if (!this.config.disruptionCondition) return [del];
    return [
      () => true,
      () => {
        patch();
        return true;
      },
      del,
    ];
  }
}
