/**
 * What each object the control plane writes weighs: the body (protobuf), the value etcd stores, and one watch event
 * as kube-proxy and the DNS servers receive it — per the objects model (models/objects), or per KEP-752's
 * estimation constant.
 *
 * Hot path: an endpoint's entry in an EndpointSlice or an Endpoints subset does not depend on its conditions (the
 * controller always sets ready, serving and terminating), so its size is computed once per pod address and cached;
 * an object's size is the overhead of its metadata and ports plus the sum of its entries.
 */
import type { Micros } from "../engine/time.js";
import { growFloat64, growInt32 } from "../engine/typed-arrays.js";
import type { Cluster, IPFamily, Service } from "./cluster/cluster.js";
import {
  endpointAddressEntrySize,
  endpointAddressJsonSize,
  endpointsJsonOverheadSize,
  endpointsOverheadSize,
  endpointSubsetEntrySize,
  endpointSubsetJsonOverheadSize,
  envelopeSizeFromBody,
  jsonSize,
  jsonWatchEventSizeFromObject,
  protobufSize,
  protobufWatchEventSizeFromEnvelope,
  sliceEndpointEntrySize,
  sliceEndpointJsonSize,
  sliceJsonOverheadSize,
  sliceOverheadSize,
  storedSize,
} from "./objects/index.js";
import { namespaceName, podIPv4 } from "./cluster/naming.js";
import { varintSize } from "./objects/protobuf-size.js";
import { kubeletNode, nodeLease, podEvent, typicalDeploymentPod } from "./objects/samples.js";
import type { EndpointPort, EndpointSlice, Endpoints, ManagedFieldsEntry, ObjectMeta, Pod, Service as ServiceObject } from "./objects/types.js";

export interface ObjectBytes {
  /** Protobuf body, resourceVersion included (what `objects.*.max_bytes` reports). */
  body: number;
  /** The value etcd stores (envelope, resourceVersion cleared). */
  stored: number;
  /** One watch event as kube-proxy receives it. */
  proxyEvent: number;
  /** One watch event as a DNS server receives it. */
  dnsEvent: number;
  /** One watch event as a protobuf client receives it (other Endpoints consumers, the controller's informer). */
  event: number;
}

/** Stored sizes (and key lengths) of the objects the model counts instead of following one by one. */
export interface ClusterObjectBytes {
  pod: ObjectBytes;
  podKey: number;
  node: number;
  nodeKey: number;
  lease: number;
  leaseKey: number;
  /** Mean of a Scheduled, a Pulled and a Started Event. */
  event: number;
  eventKey: number;
}

export interface SliceShape {
  name: string;
  family: IPFamily;
  /** Summed entry bytes of its endpoints (protobuf, JSON) and their count. */
  entries: number;
  entriesJson: number;
  count: number;
}

export interface EndpointsShape {
  readyEntries: number;
  readyEntriesJson: number;
  ready: number;
  notReadyEntries: number;
  notReadyEntriesJson: number;
  notReady: number;
  truncated: boolean;
}

export type WatchType = "ADDED" | "MODIFIED" | "DELETED";

export interface WriteMeta {
  /** etcd revision of this write (the object's resourceVersion). */
  revision: number;
  generation: number;
  created: Micros;
  /** Trigger-time annotation, µs; NaN when the object carries none. */
  trigger: number;
  now: Micros;
}

export interface ObjectSizer {
  /** Protobuf and JSON bytes of one pod's entry in an EndpointSlice / an Endpoints subset, for its current IP. */
  sliceEntry(pod: number, family: IPFamily): number;
  sliceEntryJson(pod: number, family: IPFamily): number;
  addressEntry(pod: number, family: IPFamily): number;
  addressEntryJson(pod: number, family: IPFamily): number;
  slice(svc: Service, shape: SliceShape, meta: WriteMeta, type: WatchType): ObjectBytes;
  endpoints(svc: Service, shape: EndpointsShape, meta: WriteMeta, type: WatchType): ObjectBytes;
  service(svc: Service): ObjectBytes;
  pod(svc: Service): ObjectBytes;
  clusterObjects(): ClusterObjectBytes;
}

/** The simulated clock's zero: an assumption, it only fixes the length of timestamps (all are 20 characters). */
export const EPOCH_SECONDS = Date.UTC(2026, 0, 1) / 1000;

export function rfc3339(t: Micros): string {
  return new Date((EPOCH_SECONDS + Math.floor(t / 1e6)) * 1000).toISOString().replace(".000Z", "Z");
}

/** time.RFC3339Nano: fractional seconds with trailing zeros trimmed (the trigger annotation's format). */
export function rfc3339Nano(t: Micros): string {
  const whole = Math.floor(t / 1e6);
  const frac = Math.round(t - whole * 1e6);
  const base = new Date((EPOCH_SECONDS + whole) * 1000).toISOString().slice(0, 19);
  if (frac === 0) return `${base}Z`;
  return `${base}.${String(frac * 1000)
    .padStart(9, "0")
    .replace(/0+$/, "")}Z`;
}

/** Length of rfc3339Nano(t) without formatting it (the date and time part is 19 characters for years 1000-9999). */
export function rfc3339NanoLength(t: Micros): number {
  let micros = Math.round(t - Math.floor(t / 1e6) * 1e6);
  if (micros === 0) return 20;
  // "." + the nanoseconds' 9 digits without trailing zeros (the 3 of µs -> ns always go) + "Z"
  let digits = 6;
  while (micros % 10 === 0) {
    micros /= 10;
    digits--;
  }
  return 21 + digits;
}

/**
 * What of a write's metadata changes its size: the lengths of resourceVersion and of the trigger annotation, and
 * the generation (its digits, its varint, and whether it is 0, which JSON omits). Timestamps are always 20 characters.
 */
function writeMetaShape(meta: WriteMeta): string {
  const g = meta.generation;
  const generation = g === 0 ? "0" : `${String(g).length}/${varintSize(g)}`;
  const trigger = !Number.isNaN(meta.trigger) ? rfc3339NanoLength(meta.trigger) : 0;
  return `${String(meta.revision).length} ${generation} ${trigger}`;
}

const TRIGGER_ANNOTATION = "endpoints.kubernetes.io/last-change-trigger-time";

/**
 * managedFields of an object last written by kube-controller-manager with a plain Update: one entry, whose
 * FieldsV1 lists the fields it set (lists of endpoints and subsets are atomic, so they appear as one key).
 */
function controllerManagedFields(kind: "EndpointSlice" | "Endpoints", svc: Service, now: Micros): ManagedFieldsEntry[] {
  const meta =
    kind === "EndpointSlice"
      ? {
          "f:annotations": { ".": {}, [`f:${TRIGGER_ANNOTATION}`]: {} },
          "f:generateName": {},
          "f:labels": { ".": {}, "f:endpointslice.kubernetes.io/managed-by": {}, "f:kubernetes.io/service-name": {} },
          "f:ownerReferences": { ".": {}, [`k:{"uid":"${svc.uid}"}`]: {} },
        }
      : { "f:annotations": { ".": {}, [`f:${TRIGGER_ANNOTATION}`]: {} } };
  const fields =
    kind === "EndpointSlice" ? { "f:addressType": {}, "f:endpoints": {}, "f:metadata": meta, "f:ports": {} } : { "f:metadata": meta, "f:subsets": {} };
  return [
    {
      manager: "kube-controller-manager",
      operation: "Update",
      apiVersion: kind === "EndpointSlice" ? "discovery.k8s.io/v1" : "v1",
      time: rfc3339(now),
      fieldsType: "FieldsV1",
      fieldsV1: fields,
    },
  ];
}

/** Per-pod cached entry sizes (protobuf, JSON), valid while the pod keeps the address slot they were sized for. */
class EntryCache {
  slot = new Int32Array(1024).fill(-1);
  pb = new Float64Array(1024);
  json = new Float64Array(1024);

  /** True when the pod's entry is cached for this address slot. */
  has(pod: number, slot: number): boolean {
    return pod < this.slot.length && this.slot[pod] === slot;
  }

  get(pod: number, slot: number, compute: () => [number, number]): number {
    if (pod >= this.slot.length) this.grow(pod);
    if (this.slot[pod] !== slot) {
      const [pb, json] = compute();
      this.slot[pod] = slot;
      this.pb[pod] = pb;
      this.json[pod] = json;
    }
    return pod;
  }

  private grow(pod: number): void {
    let cap = this.slot.length;
    while (cap <= pod) cap *= 2;
    this.slot = growInt32(this.slot, cap, -1);
    this.pb = growFloat64(this.pb, cap);
    this.json = growFloat64(this.json, cap);
  }
}

export class ProtobufSizer implements ObjectSizer {
  private readonly slice4 = new EntryCache();
  private readonly slice6 = new EntryCache();
  private readonly addresses4 = new EntryCache();
  private readonly addresses6 = new EntryCache();
  private readonly podBytes: ObjectBytes[] = [];
  private readonly podShapes = new Map<string, ObjectBytes>();
  private readonly endpointsOverheads = new Map<string, { body: number; stored: number; json: number; ports: EndpointPort[] }>();
  private others: ClusterObjectBytes | undefined;
  private readonly sliceOverheads = new Map<string, { body: number; stored: number; jsonEmpty: number; jsonOne: number }>();
  private readonly entryShapes = new Map<number, [number, number]>();
  private readonly serviceShapes: string[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly managedFields: boolean,
    private readonly proxyJson: boolean,
    private readonly dnsJson: boolean,
  ) {}

  sliceEntry(pod: number, family: IPFamily): number {
    const cache = family === "IPv4" ? this.slice4 : this.slice6;
    if (cache.has(pod, this.cluster.podSlot[pod])) return cache.pb[pod];
    const i = this.sliceEntries(cache, pod, family); // may grow the cache's arrays: read them after
    return cache.pb[i];
  }

  sliceEntryJson(pod: number, family: IPFamily): number {
    const cache = family === "IPv4" ? this.slice4 : this.slice6;
    if (cache.has(pod, this.cluster.podSlot[pod])) return cache.json[pod];
    const i = this.sliceEntries(cache, pod, family);
    return cache.json[i];
  }

  addressEntry(pod: number, family: IPFamily): number {
    const cache = family === "IPv4" ? this.addresses4 : this.addresses6;
    const i = this.addressEntries(cache, pod, family);
    return cache.pb[i];
  }

  addressEntryJson(pod: number, family: IPFamily): number {
    const cache = family === "IPv4" ? this.addresses4 : this.addresses6;
    const i = this.addressEntries(cache, pod, family);
    return cache.json[i];
  }

  slice(svc: Service, shape: SliceShape, meta: WriteMeta, type: WatchType): ObjectBytes {
    // everything but the endpoints depends only on the Service and on the lengths of the per-write fields
    const key = `${this.serviceShape(svc)} ${shape.family} ${shape.name.length} ${writeMetaShape(meta)}`;
    let o = this.sliceOverheads.get(key);
    if (o === undefined) {
      const obj: Omit<EndpointSlice, "endpoints"> = {
        kind: "EndpointSlice",
        apiVersion: "discovery.k8s.io/v1",
        metadata: this.metadata(svc, shape.name, `${svc.name}-`, meta, "EndpointSlice", {
          "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
          "kubernetes.io/service-name": svc.name,
          ...(svc.headless ? { "service.kubernetes.io/headless": "" } : {}),
        }),
        addressType: shape.family,
        ports: svc.ports.map((p) => ({ name: p.name, protocol: p.protocol, port: p.targetPort })),
      };
      o = {
        body: sliceOverheadSize(obj),
        stored: sliceOverheadSize({ ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } }),
        jsonEmpty: sliceJsonOverheadSize(obj, 0),
        jsonOne: sliceJsonOverheadSize(obj, 1),
      };
      this.sliceOverheads.set(key, o);
    }
    // JSON: one more comma per further endpoint
    const json = (shape.count === 0 ? o.jsonEmpty : o.jsonOne + shape.count - 1) + shape.entriesJson;
    return this.bytes("EndpointSlice", o.body + shape.entries, o.stored + shape.entries, json, type);
  }

  endpoints(svc: Service, shape: EndpointsShape, meta: WriteMeta, type: WatchType): ObjectBytes {
    const subsets = shape.ready + shape.notReady > 0 ? 1 : 0;
    // everything but the addresses depends only on the Service and on the lengths of the per-write fields
    const key = `${this.serviceShape(svc)} ${writeMetaShape(meta)} ${shape.truncated} ${subsets}`;
    let o = this.endpointsOverheads.get(key);
    if (o === undefined) {
      const annotations: Record<string, string> = {};
      if (!Number.isNaN(meta.trigger)) annotations[TRIGGER_ANNOTATION] = rfc3339Nano(meta.trigger);
      if (shape.truncated) annotations["endpoints.kubernetes.io/over-capacity"] = "truncated";
      const obj: Omit<Endpoints, "subsets"> = {
        kind: "Endpoints",
        apiVersion: "v1",
        metadata: {
          name: svc.name,
          namespace: svc.namespace,
          uid: svc.uid.replace(/^.{8}/, "e0d0e0d0"),
          resourceVersion: String(meta.revision),
          creationTimestamp: rfc3339(meta.created),
          labels: svc.headless ? { "service.kubernetes.io/headless": "" } : undefined,
          annotations,
          managedFields: this.managedFields ? controllerManagedFields("Endpoints", svc, meta.now) : undefined,
        },
      };
      o = {
        body: endpointsOverheadSize(obj),
        stored: endpointsOverheadSize({ ...obj, metadata: { ...obj.metadata, resourceVersion: undefined } }),
        json: endpointsJsonOverheadSize(obj, subsets),
        ports: svc.ports.map((p) => ({ name: p.name, port: p.targetPort, protocol: p.protocol })),
      };
      this.endpointsOverheads.set(key, o);
    }
    const addresses = shape.readyEntries + shape.notReadyEntries;
    const subsetBytes = subsets === 0 ? 0 : endpointSubsetEntrySize(addresses, o.ports);
    const json =
      o.json + (subsets === 0 ? 0 : endpointSubsetJsonOverheadSize(shape.ready, shape.notReady, o.ports) + shape.readyEntriesJson + shape.notReadyEntriesJson);
    return this.bytes("Endpoints", o.body + subsetBytes, o.stored + subsetBytes, json, type);
  }

  service(svc: Service): ObjectBytes {
    const obj: ServiceObject = {
      kind: "Service",
      apiVersion: "v1",
      metadata: { name: svc.name, namespace: svc.namespace, uid: svc.uid, resourceVersion: "1000000000", creationTimestamp: rfc3339(0) },
      spec: {
        ports: svc.ports.map((p) => ({ name: p.name || undefined, protocol: p.protocol, port: p.port, targetPort: p.targetPort })),
        selector: { app: svc.name },
        clusterIP: svc.headless ? "None" : "10.96.12.34",
        clusterIPs: svc.headless ? ["None"] : ["10.96.12.34"],
        type: "ClusterIP",
        sessionAffinity: "None",
        ipFamilies: svc.ipFamilies,
        ipFamilyPolicy: svc.ipFamilies.length > 1 ? "PreferDualStack" : "SingleStack",
        internalTrafficPolicy: "Cluster",
      },
    } as ServiceObject;
    return this.whole(obj);
  }

  /**
   * A representative backend pod of the Service as etcd stores it (models/objects/samples.ts typicalDeploymentPod:
   * spec, status and the managedFields of kube-controller-manager and the kubelet); pods of a Service differ by a
   * few bytes, so one is sized.
   */
  pod(svc: Service): ObjectBytes {
    let b: ObjectBytes | undefined = this.podBytes[svc.index];
    if (b === undefined) {
      const p = svc.pods[0] ?? 0;
      const node = Math.max(0, this.cluster.podNode[p]);
      const deployment = svc.name.replace("-service-", "-deployment-");
      // the size depends on the lengths of the names only (no string in it needs escaping)
      const key = `${svc.namespace.length} ${deployment.length}`;
      b = this.podShapes.get(key);
      if (b === undefined) {
        b = this.whole(typicalDeploymentPod(svc.namespace, deployment, this.cluster.podSerial[p], this.cluster.nodeName(node), podIPv4(node, 0)));
        this.podShapes.set(key, b);
      }
      this.podBytes[svc.index] = b;
    }
    return b;
  }

  /** The cluster's other objects, one representative each: a pod that backs no Service, a Node, its Lease, an Event. */
  clusterObjects(): ClusterObjectBytes {
    if (this.others === undefined) {
      const pod = typicalDeploymentPod(namespaceName(0), "app-deployment-0", 0, this.cluster.nodeName(0), podIPv4(0, 0));
      const events = (["Scheduled", "Pulled", "Started"] as const).map((r) => storedSize(podEvent(pod, r)));
      const nodeName = this.cluster.nodeName(0);
      this.others = {
        pod: this.whole(pod),
        podKey: `/registry/pods/${namespaceName(0)}/${pod.metadata!.name}`.length,
        node: storedSize(kubeletNode(0)),
        nodeKey: `/registry/minions/${nodeName}`.length,
        lease: storedSize(nodeLease(0)),
        leaseKey: `/registry/leases/kube-node-lease/${nodeName}`.length,
        event: Math.round(events.reduce((a, b) => a + b, 0) / events.length),
        eventKey: `/registry/events/${namespaceName(0)}/${pod.metadata!.name}.${"0".repeat(16)}`.length,
      };
    }
    return this.others;
  }

  private whole(obj: ServiceObject | Pod): ObjectBytes {
    const body = protobufSize(obj);
    const stored = storedSize(obj);
    const json = jsonSize(obj);
    const env = envelopeSizeFromBody(obj.kind, body);
    const event = protobufWatchEventSizeFromEnvelope(env, "ADDED");
    const jsonEvent = jsonWatchEventSizeFromObject(json, "ADDED");
    return { body, stored, proxyEvent: this.proxyJson ? jsonEvent : event, dnsEvent: this.dnsJson ? jsonEvent : event, event };
  }

  private bytes(kind: "EndpointSlice" | "Endpoints", body: number, storedBody: number, json: number, type: WatchType): ObjectBytes {
    const pb = protobufWatchEventSizeFromEnvelope(envelopeSizeFromBody(kind, body), type);
    const js = jsonWatchEventSizeFromObject(json, type);
    return { body, stored: envelopeSizeFromBody(kind, storedBody), proxyEvent: this.proxyJson ? js : pb, dnsEvent: this.dnsJson ? js : pb, event: pb };
  }

  /**
   * What a Service contributes to its EndpointSlices' and Endpoints' sizes beside the endpoints: the lengths of its
   * names and uid, headlessness and its ports. Services alike in these share one overhead computation. A name that
   * JSON would escape or UTF-8 would widen keys the Service on its own.
   */
  private serviceShape(svc: Service): string {
    let shape = this.serviceShapes[svc.index];
    if (shape === undefined) {
      const plain = (s: string): boolean => /^[A-Za-z0-9._-]*$/.test(s);
      const names = [svc.name, svc.namespace, svc.uid, ...svc.ports.flatMap((p) => [p.name, p.protocol])];
      shape = names.every(plain)
        ? `${svc.name.length}/${svc.namespace.length}/${svc.uid.length}/${svc.headless ? 1 : 0}/${svc.ports.map((p) => `${p.name.length}.${p.protocol.length}.${p.targetPort}`).join(",")}`
        : `#${svc.index}`;
      this.serviceShapes[svc.index] = shape;
    }
    return shape;
  }

  private metadata(svc: Service, name: string, generateName: string, meta: WriteMeta, kind: "EndpointSlice", labels: Record<string, string>): ObjectMeta {
    return {
      name,
      generateName,
      namespace: svc.namespace,
      uid: svc.uid.replace(/^.{8}/, name.slice(-5).padEnd(8, "0")),
      resourceVersion: String(meta.revision),
      generation: meta.generation,
      creationTimestamp: rfc3339(meta.created),
      labels,
      annotations: !Number.isNaN(meta.trigger) ? { [TRIGGER_ANNOTATION]: rfc3339Nano(meta.trigger) } : undefined,
      ownerReferences: [{ apiVersion: "v1", kind: "Service", name: svc.name, uid: svc.uid, controller: true, blockOwnerDeletion: true }],
      managedFields: this.managedFields ? controllerManagedFields(kind, svc, meta.now) : undefined,
    };
  }

  private sliceEntries(cache: EntryCache, pod: number, family: IPFamily): number {
    return cache.get(pod, this.cluster.podSlot[pod], () =>
      this.entryShape("slice", pod, family, () => {
        const c = this.cluster;
        const ep = {
          addresses: [c.podIP(pod, family)],
          conditions: { ready: true, serving: true, terminating: false },
          targetRef: { kind: "Pod", namespace: c.services[c.podService[pod]].namespace, name: c.podName(pod), uid: c.podUid(pod) },
          nodeName: c.nodeName(c.podNode[pod]),
          zone: c.zoneName(c.podNode[pod]),
        };
        return [sliceEndpointEntrySize(ep), sliceEndpointJsonSize(ep)];
      }),
    );
  }

  private addressEntries(cache: EntryCache, pod: number, family: IPFamily): number {
    return cache.get(pod, this.cluster.podSlot[pod], () =>
      this.entryShape("address", pod, family, () => {
        const c = this.cluster;
        const addr = {
          ip: c.podIP(pod, family),
          nodeName: c.nodeName(c.podNode[pod]),
          targetRef: { kind: "Pod", namespace: c.services[c.podService[pod]].namespace, name: c.podName(pod), uid: c.podUid(pod) },
        };
        return [endpointAddressEntrySize(addr), endpointAddressJsonSize(addr)];
      }),
    );
  }

  /**
   * An entry's sizes depend only on the lengths of its strings (none needs JSON escaping; a Service's pod names all
   * have one length, uids are 36 characters), so pods alike in those lengths share one computation, and the names
   * need not be generated to size them.
   */
  private entryShape(kind: "slice" | "address", pod: number, family: IPFamily, compute: () => [number, number]): [number, number] {
    const c = this.cluster;
    const node = c.podNode[pod];
    // one number: Service, kind, family, address length (< 64), node and zone name lengths (< 256, < 64)
    const key =
      (((c.podService[pod] * 4 + (kind === "slice" ? 0 : 2) + (family === "IPv4" ? 0 : 1)) * 64 + c.podIPLength(pod, family)) * 256 + c.nodeName(node).length) *
        64 +
      c.zoneName(node).length;
    let sizes = this.entryShapes.get(key);
    if (sizes === undefined) {
      sizes = compute();
      this.entryShapes.set(key, sizes);
    }
    return sizes;
  }
}

/**
 * KEP-752's estimation (docs/sources.md §14.3): every endpoint weighs the same constant (~100 B: "20k * const =
 * ~2.0 MB", "100 * const = ~10 KB"), and the whole object is that many constants — no metadata, no envelope.
 */
export class KepSizer implements ObjectSizer {
  constructor(
    private readonly perEndpoint: number,
    private readonly real: ObjectSizer,
  ) {}

  sliceEntry(): number {
    return this.perEndpoint;
  }
  sliceEntryJson(): number {
    return this.perEndpoint;
  }
  addressEntry(): number {
    return this.perEndpoint;
  }
  addressEntryJson(): number {
    return this.perEndpoint;
  }
  slice(_svc: Service, shape: SliceShape): ObjectBytes {
    const n = shape.count * this.perEndpoint;
    return { body: n, stored: n, proxyEvent: n, dnsEvent: n, event: n };
  }
  endpoints(_svc: Service, shape: EndpointsShape): ObjectBytes {
    const n = (shape.ready + shape.notReady) * this.perEndpoint;
    return { body: n, stored: n, proxyEvent: n, dnsEvent: n, event: n };
  }
  service(svc: Service): ObjectBytes {
    return this.real.service(svc);
  }
  pod(svc: Service): ObjectBytes {
    return this.real.pod(svc);
  }
  clusterObjects(): ClusterObjectBytes {
    return this.real.clusterObjects();
  }
}
