/**
 * The cluster the control plane serves: nodes in zones, Services, and the pods that back them.
 *
 * Pods selected by a Service are followed one by one (they are what Endpoints and EndpointSlices carry); the other
 * pods on a node are counted per node (`nodeOtherPods`, `nodeOtherReady`): they are DNS clients, etcd keys, and work
 * for the node lifecycle controller, but no endpoint. Per-pod state is a struct of typed arrays indexed by pod id,
 * grown by doubling; pod ids are never reused, so an id names one pod for the run.
 *
 * A backend pod's life, as the endpoints controllers see it (staging/src/k8s.io/endpointslice/util
 * ShouldPodBeInEndpoints): created unscheduled (`podNode` -1) and without an IP (no endpoint), bound to a node, an IP
 * (an endpoint, not ready), Ready, deletion requested (`podTerminating`: terminating, still serving while Ready),
 * containers stopped (not Ready: not serving), removed (terminal phase and deletion: no endpoint).
 */
import type { RandomStream } from "../../engine/random.js";
import type { Micros } from "../../engine/time.js";
import { growFloat64, growInt32, growUint8 } from "../../engine/typed-arrays.js";
import { namespaceName, nodeName, podIPv4, podIPv4Length, podIPv6, podName, serviceName, uid, zoneName } from "./naming.js";

export type IPFamily = "IPv4" | "IPv6";

export interface ServicePortSpec {
  name: string;
  port: number;
  targetPort: number;
  protocol: "TCP" | "UDP" | "SCTP";
}

export interface ServiceGroupSpec {
  /** Group name; Services are named `<name>-service-<i>`. */
  name: string;
  count: number;
  /** Backend pods per Service: a count, or a lognormal spread drawn per Service (rounded, at least 1). */
  replicas: number | { median: number; p99: number };
  headless: boolean;
  /** spec.publishNotReadyAddresses: endpoints are ready whatever the pods' readiness (StatefulSet peer discovery). */
  publishNotReadyAddresses?: boolean;
  ports: number;
  ipFamilies: IPFamily[];
}

export interface ClusterSpec {
  nodes: number;
  zones: number;
  coresPerNode: number;
  /** All pods per node (DNS clients); Service backends are a subset placed on top. */
  podsPerNode: number;
  namespaces: number;
  services: ServiceGroupSpec[];
}

export interface Service {
  index: number;
  name: string;
  namespace: string;
  uid: string;
  group: string;
  headless: boolean;
  publishNotReadyAddresses: boolean;
  ipFamilies: IPFamily[];
  ports: ServicePortSpec[];
  /** Live (not yet removed) backend pods; removal swaps the last one into the hole (a deterministic order). */
  pods: number[];
  /** Desired replica count (scale actions change it). */
  replicas: number;
  /** Serial for pod names (never reused). */
  podSerial: number;
  /** The Deployment's current template revision (a rolling update starts the next). */
  revision: number;
}

export class Cluster {
  readonly nodes: number;
  readonly zones: number;
  readonly coresPerNode: number;
  readonly podsPerNode: number;
  readonly nodeZone: Int32Array;
  /** 1 while the node is up (a zone outage takes its nodes down). */
  readonly nodeUp: Uint8Array;
  /** Pods on each node that back no Service, how many of them are Ready, and how many are being deleted. */
  readonly nodeOtherPods: Int32Array;
  readonly nodeOtherReady: Int32Array;
  readonly nodeOtherTerminating: Int32Array;
  /** The backend pods ever bound to each node, as a linked list: the last bound, then `podNextOnNode`. */
  private readonly nodeLastPod: Int32Array;
  readonly services: Service[] = [];

  // Pods (struct of arrays).
  podCount = 0;
  podService = new Int32Array(1024);
  /** The node the pod is bound to; -1 until the scheduler binds it. */
  podNode = new Int32Array(1024);
  /** 1 once the pod has an IP (its sandbox is up): only then is it an endpoint. */
  podHasIP = new Uint8Array(1024);
  /** The Deployment revision (ReplicaSet) the pod belongs to. */
  podRevision = new Int32Array(1024);
  podSerial = new Int32Array(1024);
  /** Address slot on its node: the pod IP is a function of (node, slot). */
  podSlot = new Int32Array(1024);
  podReady = new Uint8Array(1024);
  podTerminating = new Uint8Array(1024);
  /** 1 from creation until the pod object is removed. */
  podAlive = new Uint8Array(1024);
  /** When the pod last changed in a way that triggers endpoints (created or Ready flipped), µs. */
  podTriggerTime = new Float64Array(1024);
  /** Bumped on every endpoint-relevant change of the pod (Ready, termination, IP): caches key on it. */
  podVersion = new Int32Array(1024);
  /** Position of the pod in its Service's `pods` list. */
  private podPosition = new Int32Array(1024);
  private podNextOnNode = new Int32Array(1024);

  private readonly nodeSlots: Int32Array;
  private readonly nodeNames: string[] = [];
  private readonly podNames: string[] = [];
  private readonly podUids: string[] = [];

  constructor(
    spec: ClusterSpec,
    private readonly placement: RandomStream,
    sizes?: RandomStream,
  ) {
    this.nodes = spec.nodes;
    this.zones = spec.zones;
    this.coresPerNode = spec.coresPerNode;
    this.podsPerNode = spec.podsPerNode;
    this.nodeZone = new Int32Array(spec.nodes);
    this.nodeUp = new Uint8Array(spec.nodes).fill(1);
    this.nodeOtherPods = new Int32Array(spec.nodes);
    this.nodeOtherReady = new Int32Array(spec.nodes);
    this.nodeOtherTerminating = new Int32Array(spec.nodes);
    this.nodeLastPod = new Int32Array(spec.nodes).fill(-1);
    this.nodeSlots = new Int32Array(spec.nodes);
    for (let n = 0; n < spec.nodes; n++) this.nodeZone[n] = n % spec.zones;
    let serviceIndex = 0;
    for (const group of spec.services) {
      for (let i = 0; i < group.count; i++) {
        const name = serviceName(group.name, i);
        const namespace = namespaceName(serviceIndex % Math.max(1, spec.namespaces));
        const ports: ServicePortSpec[] = Array.from({ length: group.ports }, (_, p) => ({
          name: group.ports === 1 ? "" : `port-${p}`,
          port: 80 + p,
          targetPort: 8080 + p,
          protocol: "TCP",
        }));
        this.services.push({
          index: serviceIndex,
          name,
          namespace,
          uid: uid(`svc/${namespace}/${name}`),
          group: group.name,
          headless: group.headless,
          publishNotReadyAddresses: group.publishNotReadyAddresses === true,
          ipFamilies: group.ipFamilies,
          ports,
          pods: [],
          replicas: typeof group.replicas === "number" ? group.replicas : drawReplicas(group.replicas, sizes, group.name),
          podSerial: 0,
          revision: 0,
        });
        serviceIndex++;
      }
    }
  }

  /**
   * Creates the initial backends of every Service, running and ready, as they are at time zero; the rest of each
   * node's `podsPerNode` pods back no Service.
   */
  populate(now: Micros): void {
    for (const svc of this.services) {
      for (let i = 0; i < svc.replicas; i++) this.createPod(svc.index, now, true);
    }
    for (let p = 0; p < this.podCount; p++) this.nodeOtherPods[this.podNode[p]]--;
    for (let n = 0; n < this.nodes; n++) {
      this.nodeOtherPods[n] = Math.max(0, this.podsPerNode + this.nodeOtherPods[n]);
      this.nodeOtherReady[n] = this.nodeOtherPods[n];
    }
  }

  /** Pods that back no Service, cluster-wide. */
  otherPods(): number {
    let n = 0;
    for (let i = 0; i < this.nodes; i++) n += this.nodeOtherPods[i];
    return n;
  }

  nodeName(n: number): string {
    let name = this.nodeNames[n];
    if (name === undefined) {
      name = nodeName(n);
      this.nodeNames[n] = name;
    }
    return name;
  }

  zoneName(n: number): string {
    return zoneName(this.nodeZone[n]);
  }

  /** Creates a running backend pod of a Service on a random node that is up, with its IP; returns its id. */
  createPod(service: number, now: Micros, ready: boolean): number {
    const id = this.createPending(service, now);
    const node = this.pickNode();
    if (node < 0) throw new Error("no node is up to place a pod on");
    this.bind(id, node);
    this.assignIP(id, now);
    if (ready) this.setReady(id, true, now);
    return id;
  }

  /** Creates a backend pod of the Service's current revision: not yet scheduled, no IP, not ready. */
  createPending(service: number, now: Micros, revision = this.services[service].revision): number {
    const id = this.podCount++;
    if (id === this.podService.length) this.grow();
    const svc = this.services[service];
    this.podService[id] = service;
    this.podNode[id] = -1;
    this.podHasIP[id] = 0;
    this.podRevision[id] = revision;
    this.podSerial[id] = svc.podSerial++;
    this.podSlot[id] = -1;
    this.podReady[id] = 0;
    this.podTerminating[id] = 0;
    this.podAlive[id] = 1;
    this.podTriggerTime[id] = now;
    this.podVersion[id] = 0;
    this.podPosition[id] = svc.pods.length;
    svc.pods.push(id);
    return id;
  }

  bind(pod: number, node: number): void {
    this.podNode[pod] = node;
    this.podNextOnNode[pod] = this.nodeLastPod[node];
    this.nodeLastPod[node] = pod;
  }

  /** The live backend pods bound to `node`, most recently bound first. */
  podsOn(node: number): number[] {
    const out: number[] = [];
    for (let p = this.nodeLastPod[node]; p >= 0; p = this.podNextOnNode[p]) if (this.podAlive[p] === 1) out.push(p);
    return out;
  }

  /** The pod's sandbox is up: it has an address on its node (and becomes an endpoint). */
  assignIP(pod: number, now: Micros): void {
    this.podSlot[pod] = this.nodeSlots[this.podNode[pod]]++;
    this.podHasIP[pod] = 1;
    this.podTriggerTime[pod] = now;
    this.podVersion[pod]++;
  }

  setReady(pod: number, ready: boolean, now: Micros): void {
    if ((this.podReady[pod] === 1) === ready) return;
    this.podReady[pod] = ready ? 1 : 0;
    this.podTriggerTime[pod] = now;
    this.podVersion[pod]++;
  }

  /**
   * Marks a pod terminating (deletionTimestamp set). Its Ready condition stays as it is: the kubelet keeps running
   * readiness probes until the containers stop (KEP-1672), so a Ready pod is still serving.
   */
  startTermination(pod: number): void {
    this.podTerminating[pod] = 1;
    this.podVersion[pod]++;
  }

  /** Removes the pod object. */
  removePod(pod: number): void {
    if (this.podAlive[pod] === 0) return;
    this.podAlive[pod] = 0;
    const pods = this.services[this.podService[pod]].pods;
    const at = this.podPosition[pod];
    const last = pods.pop()!;
    if (last !== pod) {
      pods[at] = last;
      this.podPosition[last] = at;
    }
  }

  /** Gives the pod a new IP (a new address slot on its node). */
  changeIP(pod: number, now: Micros): void {
    this.assignIP(pod, now);
  }

  /** True when the pod is an endpoint now: it exists and has an IP. */
  isEndpoint(pod: number): boolean {
    return this.podAlive[pod] === 1 && this.podHasIP[pod] === 1;
  }

  /** The length of podIP(pod, family), without making the string. */
  podIPLength(pod: number, family: IPFamily): number {
    return family === "IPv4" ? podIPv4Length(this.podNode[pod], this.podSlot[pod]) : this.podIP(pod, family).length;
  }

  podIP(pod: number, family: IPFamily): string {
    return family === "IPv4" ? podIPv4(this.podNode[pod], this.podSlot[pod]) : podIPv6(this.podNode[pod], this.podSlot[pod]);
  }

  /** Position of the pod in its Service's `pods` list (the order the controllers list pods in). */
  position(pod: number): number {
    return this.podPosition[pod];
  }

  podName(pod: number): string {
    let name = this.podNames[pod];
    if (name === undefined) {
      const svc = this.services[this.podService[pod]];
      name = podName(svc.name.replace("-service-", "-deployment-"), this.podSerial[pod]);
      this.podNames[pod] = name;
    }
    return name;
  }

  podUid(pod: number): string {
    let id = this.podUids[pod];
    if (id === undefined) {
      const svc = this.services[this.podService[pod]];
      id = uid(`pod/${svc.namespace}/${this.podName(pod)}`);
      this.podUids[pod] = id;
    }
    return id;
  }

  /** Total backend endpoints (live pods with an IP) of non-headless and of all Services. */
  endpointCounts(): { all: number; proxied: number; proxiedServices: number } {
    let all = 0;
    let proxied = 0;
    let proxiedServices = 0;
    for (const svc of this.services) {
      let n = 0;
      for (const p of svc.pods) n += this.podHasIP[p];
      all += n;
      if (!svc.headless) {
        proxied += n;
        proxiedServices++;
      }
    }
    return { all, proxied, proxiedServices };
  }

  /** A random node that is up (the scheduler's choice), or -1 when none is. */
  pickNode(): number {
    for (let attempt = 0; attempt < 64; attempt++) {
      const n = Math.floor(this.placement.uniform() * this.nodes);
      if (this.nodeUp[n] === 1) return n;
    }
    for (let n = 0; n < this.nodes; n++) if (this.nodeUp[n] === 1) return n;
    return -1;
  }

  private grow(): void {
    const cap = this.podService.length * 2;
    this.podService = growInt32(this.podService, cap);
    this.podNode = growInt32(this.podNode, cap);
    this.podSerial = growInt32(this.podSerial, cap);
    this.podSlot = growInt32(this.podSlot, cap);
    this.podPosition = growInt32(this.podPosition, cap);
    this.podNextOnNode = growInt32(this.podNextOnNode, cap);
    this.podVersion = growInt32(this.podVersion, cap);
    this.podRevision = growInt32(this.podRevision, cap);
    this.podHasIP = growUint8(this.podHasIP, cap);
    this.podReady = growUint8(this.podReady, cap);
    this.podTerminating = growUint8(this.podTerminating, cap);
    this.podAlive = growUint8(this.podAlive, cap);
    this.podTriggerTime = growFloat64(this.podTriggerTime, cap);
  }
}

function drawReplicas(spread: { median: number; p99: number }, rng: RandomStream | undefined, group: string): number {
  if (rng === undefined) throw new Error(`Service group ${group}: a replica spread needs a random stream`);
  if (spread.p99 <= spread.median) return Math.max(1, Math.round(spread.median));
  return Math.max(1, Math.round(rng.lognormalMedianP99(spread.median, spread.p99)));
}
