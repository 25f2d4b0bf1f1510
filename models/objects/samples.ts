/**
 * Deterministic sample objects for tests and the benchmark, shaped like what the controllers write:
 * EndpointSlice endpoints as staging/src/k8s.io/endpointslice/utils.go podToEndpoint builds them (addresses[1],
 * conditions, targetRef{kind, namespace, name, uid}, nodeName, zone), Endpoints addresses as the Endpoints
 * controller's podToEndpointAddressForService (ip, nodeName, targetRef{kind, namespace, name, uid}); the bytes per
 * endpoint measured on these field sets are in docs/sources.md §14.5. Nodes, node Leases, Events and pods with
 * managedFields as a 1.3x cluster stores them are at the end of the file; each function says who writes what.
 */
import type {
  ContainerImage,
  Endpoint,
  EndpointAddress,
  EndpointSlice,
  Endpoints,
  Event,
  Lease,
  ManagedFieldsEntry,
  Node,
  NodeCondition,
  ObjectMeta,
  ObjectReference,
  Pod,
  Service,
} from "./types.js";

export const CREATED = "2026-01-01T00:00:00Z";

/** A uid-shaped string (36 chars) derived from `n`. */
export function uid(n: number): string {
  const hex = (n * 2654435761 + 0x9e3779b9).toString(16).padStart(12, "0").slice(-12);
  return `6f1c2a3b-4d5e-4f60-8a9b-${hex}`;
}

/** The i-th IPv4 address of 10.64.0.0/14 in order: 10.64.0.0, 10.64.0.1, ... (9–12 chars). */
export function ipv4(i: number): string {
  return `10.64.${i >> 8}.${i & 255}`;
}

/** The i-th IPv6 address of fd00:10:64::/64. */
export function ipv6(i: number): string {
  return `fd00:10:64::${i.toString(16)}`;
}

/** `prefix` followed by `i` in base 36, zero-padded to `width` characters: suffixed("node-", 7, 5) = "node-00007". */
export function suffixed(prefix: string, i: number, width: number): string {
  return prefix + i.toString(36).padStart(width, "0");
}

export interface EndpointShape {
  namespace: string;
  podName: (i: number) => string;
  nodeName: (i: number) => string;
  zone?: string;
  ip: (i: number) => string;
}

/**
 * The name lengths the sizes of docs/sources.md §14.5 were measured with: namespace 13, pod name 37 (`<deploy>-<10-char
 * hash>-<5>`), nodeName 44 (GKE style), zone 13; our choices for the rest: IPv4 addresses 9–12 chars (10.64.0.0
 * upwards), uid 36.
 */
export const SCALE_MD_SHAPE: EndpointShape = {
  namespace: "team-payments",
  podName: (i) => suffixed("checkout-api-service-7d9f8b6c5d-", i, 5),
  nodeName: (i) => suffixed("gke-prod-cluster-default-pool-1a2b3c4d-", i % 5000, 5),
  zone: "us-central1-a",
  ip: ipv4,
};

export function sliceEndpoint(shape: EndpointShape, i: number, ready = true): Endpoint {
  const ep: Endpoint = {
    addresses: [shape.ip(i)],
    conditions: { ready, serving: ready, terminating: false },
    targetRef: { kind: "Pod", namespace: shape.namespace, name: shape.podName(i), uid: uid(i) },
    nodeName: shape.nodeName(i),
  };
  if (shape.zone !== undefined) ep.zone = shape.zone;
  return ep;
}

export function endpointAddress(shape: EndpointShape, i: number): EndpointAddress {
  return {
    ip: shape.ip(i),
    nodeName: shape.nodeName(i),
    targetRef: { kind: "Pod", namespace: shape.namespace, name: shape.podName(i), uid: uid(i) },
  };
}

function serviceLabels(service: string): Record<string, string> {
  return { app: service };
}

/** An EndpointSlice as the EndpointSlice controller writes it (metadata per reconciler.go newEndpointSlice). */
export function endpointSlice(
  shape: EndpointShape,
  service: string,
  count: number,
  opts: { addressType?: "IPv4" | "IPv6"; first?: number; resourceVersion?: string } = {},
): EndpointSlice {
  const first = opts.first ?? 0;
  const endpoints: Endpoint[] = [];
  for (let i = first; i < first + count; i++) endpoints.push(sliceEndpoint(shape, i));
  return {
    kind: "EndpointSlice",
    apiVersion: "discovery.k8s.io/v1",
    metadata: {
      name: `${service}-x7k2q`,
      generateName: `${service}-`,
      namespace: shape.namespace,
      uid: uid(1_000_000 + first),
      resourceVersion: opts.resourceVersion ?? "48213977",
      generation: 1,
      creationTimestamp: CREATED,
      labels: {
        ...serviceLabels(service),
        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
        "kubernetes.io/service-name": service,
      },
      annotations: { "endpoints.kubernetes.io/last-change-trigger-time": CREATED },
      ownerReferences: [{ apiVersion: "v1", kind: "Service", name: service, uid: uid(2_000_000), controller: true, blockOwnerDeletion: true }],
    },
    addressType: opts.addressType ?? "IPv4",
    endpoints,
    ports: [{ name: "http", protocol: "TCP", port: 8080 }],
  };
}

/** An Endpoints object as the Endpoints controller writes it: one subset, ready addresses, one port. */
export function endpoints(shape: EndpointShape, service: string, count: number, opts: { notReady?: number; resourceVersion?: string } = {}): Endpoints {
  const addresses: EndpointAddress[] = [];
  const notReady: EndpointAddress[] = [];
  for (let i = 0; i < count; i++) addresses.push(endpointAddress(shape, i));
  for (let i = count; i < count + (opts.notReady ?? 0); i++) notReady.push(endpointAddress(shape, i));
  const meta: ObjectMeta = {
    name: service,
    namespace: shape.namespace,
    uid: uid(3_000_000),
    resourceVersion: opts.resourceVersion ?? "48213977",
    creationTimestamp: CREATED,
    labels: { ...serviceLabels(service), "endpoints.kubernetes.io/managed-by": "endpoint-controller" },
    annotations: { "endpoints.kubernetes.io/last-change-trigger-time": CREATED },
  };
  return {
    kind: "Endpoints",
    apiVersion: "v1",
    metadata: meta,
    subsets:
      count + (opts.notReady ?? 0) === 0
        ? undefined
        : [
            {
              addresses: addresses.length > 0 ? addresses : undefined,
              notReadyAddresses: notReady.length > 0 ? notReady : undefined,
              ports: [{ name: "http", port: 8080, protocol: "TCP" }],
            },
          ],
  };
}

/** A defaulted ClusterIP Service as the apiserver stores it. */
export function clusterIPService(namespace: string, name: string, opts: { headless?: boolean; dualStack?: boolean } = {}): Service {
  const clusterIPs = opts.headless ? ["None"] : opts.dualStack ? ["10.96.12.34", "fd00:10:96::1234"] : ["10.96.12.34"];
  return {
    kind: "Service",
    apiVersion: "v1",
    metadata: {
      name,
      namespace,
      uid: uid(4_000_000),
      resourceVersion: "48213900",
      creationTimestamp: CREATED,
      labels: { app: name },
    },
    spec: {
      ports: [
        { name: "http", protocol: "TCP", port: 80, targetPort: 8080 },
        { name: "metrics", protocol: "TCP", port: 9090, targetPort: "metrics" },
      ],
      selector: { app: name },
      clusterIP: clusterIPs[0],
      clusterIPs,
      type: "ClusterIP",
      sessionAffinity: "None",
      ipFamilies: opts.dualStack ? ["IPv4", "IPv6"] : ["IPv4"],
      ipFamilyPolicy: opts.dualStack ? "PreferDualStack" : "SingleStack",
      internalTrafficPolicy: "Cluster",
    },
    status: { loadBalancer: {} },
  };
}

/** A running pod of a Deployment, defaulted and scheduled, as the apiserver stores it. */
export function deploymentPod(namespace: string, deployment: string, i: number, nodeName: string, ip: string): Pod {
  const hash = "7d9f8b6c5d";
  const name = `${deployment}-${hash}-${String(i).padStart(5, "x").slice(-5)}`;
  const time = CREATED;
  return {
    kind: "Pod",
    apiVersion: "v1",
    metadata: {
      name,
      generateName: `${deployment}-${hash}-`,
      namespace,
      uid: uid(i),
      resourceVersion: "48213950",
      generation: 1,
      creationTimestamp: time,
      labels: { app: deployment, "pod-template-hash": hash },
      ownerReferences: [
        {
          apiVersion: "apps/v1",
          kind: "ReplicaSet",
          name: `${deployment}-${hash}`,
          uid: uid(5_000_000),
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      volumes: [
        {
          name: "kube-api-access-8xk2p",
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
              {
                downwardAPI: {
                  items: [{ path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } }],
                },
              },
            ],
            defaultMode: 420,
          },
        },
      ],
      containers: [
        {
          name: "app",
          image: `registry.example.com/${deployment}:1.42.0`,
          ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
          env: [
            { name: "POD_IP", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "status.podIP" } } },
            { name: "LOG_LEVEL", value: "info" },
          ],
          resources: { limits: { memory: "512Mi" }, requests: { cpu: "250m", memory: "256Mi" } },
          volumeMounts: [{ name: "kube-api-access-8xk2p", readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" }],
          readinessProbe: {
            httpGet: { path: "/healthz", port: 8080, scheme: "HTTP" },
            timeoutSeconds: 1,
            periodSeconds: 10,
            successThreshold: 1,
            failureThreshold: 3,
          },
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          imagePullPolicy: "IfNotPresent",
          securityContext: { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        },
      ],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      serviceAccountName: "default",
      serviceAccount: "default",
      nodeName,
      securityContext: {},
      schedulerName: "default-scheduler",
      tolerations: [
        { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
        { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
      ],
      priority: 0,
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
    },
    status: {
      observedGeneration: 1,
      phase: "Running",
      conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({
        type,
        observedGeneration: 1,
        status: "True",
        lastTransitionTime: time,
      })),
      hostIP: "10.128.0.17",
      hostIPs: [{ ip: "10.128.0.17" }],
      podIP: ip,
      podIPs: [{ ip }],
      startTime: time,
      containerStatuses: [
        {
          name: "app",
          state: { running: { startedAt: time } },
          lastState: {},
          ready: true,
          restartCount: 0,
          image: `registry.example.com/${deployment}:1.42.0`,
          imageID: `registry.example.com/${deployment}@sha256:${"0123456789abcdef".repeat(4)}`,
          containerID: `containerd://${"fedcba9876543210".repeat(4)}`,
          started: true,
          volumeMounts: [
            {
              name: "kube-api-access-8xk2p",
              mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
              readOnly: true,
              recursiveReadOnly: "Disabled",
            },
          ],
          user: { linux: { uid: 1000, gid: 1000, supplementalGroups: [1000] } },
        },
      ],
      qosClass: "Burstable",
    },
  };
}

// ---- managedFields ----

/**
 * FieldsV1 JSON: a tree of `{}` leaves, keys sorted as structured-merge-diff writes them; "." marks a map, list,
 * struct or list item that did not exist before the manager's write (on a create: absent from the zero object).
 */
type FieldSet = Record<string, unknown>;

/** `{"f:<key>": {}}` for each key, sorted. */
function leaves(keys: Iterable<string>): FieldSet {
  const out: FieldSet = {};
  for (const k of [...keys].sort()) out[`f:${k}`] = {};
  return out;
}

/** A map, list or list item the manager created: "." and the children. */
function created(children: FieldSet): FieldSet {
  return sortKeys({ ".": {}, ...children });
}

/** The key of a list item with listType=map: `k:{"type":"Ready"}` (JSON of the key fields, sorted by name). */
function itemKey(key: Record<string, unknown>): string {
  return `k:${JSON.stringify(Object.fromEntries(Object.entries(key).sort(([a], [b]) => (a < b ? -1 : 1))))}`;
}

function entry(manager: string, apiVersion: string, time: string, fieldsV1: FieldSet, subresource?: string): ManagedFieldsEntry {
  const e: ManagedFieldsEntry = { manager, operation: "Update", apiVersion, time, fieldsType: "FieldsV1", fieldsV1 };
  if (subresource !== undefined) e.subresource = subresource;
  return e;
}

// ---- Node, Lease ----

/** When the kubelet last wrote node status (its Update of the status subresource). */
export const NODE_HEARTBEAT = "2026-01-01T06:14:52Z";
/** When the kubelet last renewed its node Lease (MicroTime, microseconds as the apiserver keeps them). */
export const LEASE_RENEW = "2026-01-01T06:15:32.482913Z";

const NODE_ZONE = "us-central1-a";
const NODE_REGION = "us-central1";
const INSTANCE_TYPE = "n2-standard-8";
const PROJECT = "prod-project";

/** A 64-hex-digit sha256 digest derived from `n`. */
function digest(n: number): string {
  let hex = "";
  for (let k = 1; hex.length < 64; k++) hex += ((n * 2654435761 + k * 0x9e3779b9) >>> 0).toString(16).padStart(8, "0");
  return `sha256:${hex.slice(0, 64)}`;
}

/**
 * The images the kubelet reports for a node, largest first and at most nodeStatusMaxImages (50): names are the
 * repo digests then the repo tags (pkg/kubelet/nodestatus/setters.go Images). 10 images: the workloads', one
 * pulled by digest only (1 name), one with two tags (3 names), the DaemonSets' and the sandbox image.
 */
export const NODE_IMAGES: readonly (readonly [repository: string, tags: readonly string[], sizeBytes: number])[] = [
  ["registry.example.com/checkout-api-service", ["1.42.0"], 187_654_321],
  ["registry.example.com/payments-worker", ["2.7.1", "stable"], 154_320_768],
  ["cr.fluentbit.io/fluent/fluent-bit", ["3.2.4"], 98_412_338],
  ["registry.example.com/otel-collector", [], 71_045_913],
  ["registry.k8s.io/kube-proxy", ["v1.33.2"], 31_235_127],
  ["registry.k8s.io/coredns/coredns", ["v1.12.0"], 20_939_036],
  ["registry.k8s.io/metrics-server/metrics-server", ["v0.7.2"], 19_494_617],
  ["registry.k8s.io/sig-storage/csi-node-driver-registrar", ["v2.13.0"], 14_290_129],
  ["quay.io/prometheus/node-exporter", ["v1.8.2"], 11_826_424],
  ["registry.k8s.io/pause", ["3.10"], 320_368],
];

function nodeImages(): ContainerImage[] {
  return NODE_IMAGES.map(([repository, tags, sizeBytes], k) => ({
    // the first is the deploymentPod sample's image: the digest of its containerStatuses[0].imageID
    names: [`${repository}@${k === 0 ? `sha256:${"0123456789abcdef".repeat(4)}` : digest(k)}`, ...tags.map((t) => `${repository}:${t}`)],
    sizeBytes,
  }));
}

/** The InternalIP of node i: 10.128.0.17 for node 1 (the deploymentPod sample's hostIP). */
export function nodeInternalIP(i: number): string {
  return `10.128.${(i + 16) >> 8}.${(i + 16) & 255}`;
}

/** Node i's name, SCALE_MD_SHAPE's node names (GKE style, 44 chars). */
export function nodeName(i: number): string {
  return SCALE_MD_SHAPE.nodeName(i);
}

function nodeUid(i: number): string {
  return uid(6_000_000 + i);
}

/**
 * Node i as the kubelet and the control plane's controllers leave it in a 1.3x cluster on a cloud:
 * - the kubelet registers it (labels it may set itself, --node-labels, --provider-id; the attach-detach
 *   annotation) and reports status: capacity/allocatable, the four conditions it owns, addresses,
 *   daemonEndpoints, nodeInfo (swap since NodeSwap's beta, kubeProxyVersion left empty since KEP-4004), images,
 *   runtimeHandlers and features (containerd 2.x), and the CSI node ID annotation (through status);
 * - kube-controller-manager's nodeipam controller assigns podCIDR(s), its ttl controller the ttl annotation;
 * - the cloud route controller sets NetworkUnavailable (k8s.io/cloud-provider controllers/route).
 * managedFields: one entry per manager and subresource. Fields a manager merely carried over are not its own, and
 * status written at creation is owned by nobody (pkg/registry/core/node/strategy.go GetResetFields), so the
 * kubelet's status entry holds only what changed since: heartbeats, the Ready transition, images, the CSI
 * annotation. "." marks what a manager created rather than changed.
 */
export function kubeletNode(i: number): Node {
  const name = nodeName(i);
  const podCIDR = `10.${64 + (i >> 8)}.${i & 255}.0/24`;
  const labels: Record<string, string> = {
    "beta.kubernetes.io/arch": "amd64",
    "beta.kubernetes.io/instance-type": INSTANCE_TYPE,
    "beta.kubernetes.io/os": "linux",
    "cloud.google.com/gke-nodepool": "default-pool",
    "failure-domain.beta.kubernetes.io/region": NODE_REGION,
    "failure-domain.beta.kubernetes.io/zone": NODE_ZONE,
    "kubernetes.io/arch": "amd64",
    "kubernetes.io/hostname": name,
    "kubernetes.io/os": "linux",
    "node.kubernetes.io/instance-type": INSTANCE_TYPE,
    "topology.kubernetes.io/region": NODE_REGION,
    "topology.kubernetes.io/zone": NODE_ZONE,
  };
  const annotations: Record<string, string> = {
    "csi.volume.kubernetes.io/nodeid": JSON.stringify({
      "pd.csi.storage.gke.io": `projects/${PROJECT}/zones/${NODE_ZONE}/instances/${name}`,
    }),
    "node.alpha.kubernetes.io/ttl": "0",
    "volumes.kubernetes.io/controller-managed-attach-detach": "true",
  };
  const registered = "2026-01-01T00:00:05Z";
  const ready = "2026-01-01T00:00:25Z";
  const routed = "2026-01-01T00:00:31Z";
  // pkg/kubelet/nodestatus/setters.go *PressureCondition, ReadyCondition
  const kubeletConditions: NodeCondition[] = [
    ["MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"],
    ["DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"],
    ["PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"],
    ["Ready", "True", "KubeletReady", "kubelet is posting ready status"],
  ].map(([type, status, reason, message]) => ({
    type,
    status,
    lastHeartbeatTime: NODE_HEARTBEAT,
    lastTransitionTime: type === "Ready" ? ready : registered,
    reason,
    message,
  }));
  const networkCondition: NodeCondition = {
    type: "NetworkUnavailable",
    status: "False",
    lastHeartbeatTime: routed,
    lastTransitionTime: routed,
    reason: "RouteCreated",
    message: "RouteController created a route",
  };
  const conditionKey = (type: string): string => itemKey({ type });
  const kubeletStatusConditions: FieldSet = {};
  for (const c of kubeletConditions) {
    kubeletStatusConditions[conditionKey(c.type!)] =
      c.type === "Ready" ? leaves(["lastHeartbeatTime", "lastTransitionTime", "message", "reason", "status"]) : leaves(["lastHeartbeatTime"]);
  }
  const managedFields: ManagedFieldsEntry[] = [
    entry("kubelet", "v1", registered, {
      "f:metadata": {
        "f:annotations": created(leaves(["volumes.kubernetes.io/controller-managed-attach-detach"])),
        "f:labels": created(leaves(Object.keys(labels))),
      },
      "f:spec": leaves(["providerID"]),
    }),
    entry("kube-controller-manager", "v1", "2026-01-01T00:00:06Z", {
      "f:metadata": { "f:annotations": leaves(["node.alpha.kubernetes.io/ttl"]) },
      "f:spec": { "f:podCIDR": {}, "f:podCIDRs": created({ [`v:${JSON.stringify(podCIDR)}`]: {} }) },
    }),
    entry(
      "cloud-controller-manager",
      "v1",
      routed,
      {
        "f:status": {
          "f:conditions": {
            [conditionKey("NetworkUnavailable")]: created(leaves(["lastHeartbeatTime", "lastTransitionTime", "message", "reason", "status", "type"])),
          },
        },
      },
      "status",
    ),
    entry(
      "kubelet",
      "v1",
      NODE_HEARTBEAT,
      {
        "f:metadata": { "f:annotations": leaves(["csi.volume.kubernetes.io/nodeid"]) },
        "f:status": { "f:conditions": kubeletStatusConditions, "f:images": {} },
      },
      "status",
    ),
  ];
  return {
    kind: "Node",
    apiVersion: "v1",
    metadata: {
      name,
      uid: nodeUid(i),
      resourceVersion: "48213990",
      creationTimestamp: registered,
      labels,
      annotations,
      managedFields,
    },
    spec: { podCIDR, podCIDRs: [podCIDR], providerID: `gce://${PROJECT}/${NODE_ZONE}/${name}` },
    status: {
      capacity: {
        cpu: "8",
        "ephemeral-storage": "98831908Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        memory: "32866876Ki",
        pods: "110",
      },
      allocatable: {
        cpu: "7910m",
        "ephemeral-storage": "47060071478",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        memory: "29094972Ki",
        pods: "110",
      },
      conditions: [networkCondition, ...kubeletConditions],
      addresses: [
        { type: "InternalIP", address: nodeInternalIP(i) },
        { type: "Hostname", address: name },
      ],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: uid(7_000_000 + i).replace(/-/g, ""),
        systemUUID: uid(8_000_000 + i),
        bootID: uid(9_000_000 + i),
        kernelVersion: "6.8.0-1019-gcp",
        osImage: "Ubuntu 24.04.2 LTS",
        containerRuntimeVersion: "containerd://2.0.5",
        kubeletVersion: "v1.33.2",
        kubeProxyVersion: "",
        operatingSystem: "linux",
        architecture: "amd64",
        swap: { capacity: 0 },
      },
      images: nodeImages(),
      runtimeHandlers: [
        { name: "runc", features: { recursiveReadOnlyMounts: true, userNamespaces: true } },
        { name: "", features: { recursiveReadOnlyMounts: true, userNamespaces: true } },
      ],
      features: { supplementalGroupsPolicy: true },
    },
  };
}

/**
 * Node i's heartbeat Lease as the kubelet's lease controller writes it (k8s.io/component-helpers
 * apimachinery/lease controller.go newLease): kube-node-lease namespace, named and held by the node, owned by the
 * Node, renewed every 10 s. Only holderIdentity, leaseDurationSeconds and renewTime are set.
 */
export function nodeLease(i: number): Lease {
  const name = nodeName(i);
  const owner = nodeUid(i);
  return {
    kind: "Lease",
    apiVersion: "coordination.k8s.io/v1",
    metadata: {
      name,
      namespace: "kube-node-lease",
      uid: uid(10_000_000 + i),
      resourceVersion: "48214011",
      creationTimestamp: "2026-01-01T00:00:05Z",
      ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: owner }],
      managedFields: [
        entry("kubelet", "coordination.k8s.io/v1", LEASE_RENEW.replace(/\.\d+Z$/, "Z"), {
          // OwnerReference is +structType=atomic: the item is one leaf
          "f:metadata": { "f:ownerReferences": created({ [itemKey({ uid: owner })]: {} }) },
          "f:spec": leaves(["holderIdentity", "leaseDurationSeconds", "renewTime"]),
        }),
      ],
    },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: LEASE_RENEW },
  };
}

// ---- Event ----

export type PodEventReason = "Scheduled" | "Pulled" | "Started";

/**
 * An Event about `pod` as etcd holds it (core/v1: events.k8s.io/v1 Events are stored as core Events,
 * pkg/kubeapiserver/default_storage_factory_builder.go cohabitating resources), with the managedFields the
 * apiserver records at creation (fields equal to the zero object's are nobody's):
 * - "Scheduled": kube-scheduler's events.k8s.io/v1 recorder (client-go tools/events): eventTime (MicroTime),
 *   action, reportingController/Instance; no count, first/lastTimestamp or source.
 * - "Pulled", "Started": the kubelet's core/v1 recorder (client-go tools/record): count, first/lastTimestamp,
 *   source {component, host}, involvedObject.fieldPath naming the container; eventTime null.
 */
export function podEvent(pod: Pod, reason: PodEventReason = "Started"): Event {
  const meta = pod.metadata ?? {};
  const container = pod.spec?.containers?.[0];
  const node = pod.spec?.nodeName ?? "";
  const regarding: ObjectReference = {
    kind: "Pod",
    namespace: meta.namespace,
    name: meta.name,
    uid: meta.uid,
    apiVersion: "v1",
    resourceVersion: reason === "Scheduled" ? "48213941" : "48213943",
  };
  const seconds = { Scheduled: 1, Pulled: 4, Started: 5 }[reason];
  const time = `2026-01-01T00:00:0${seconds}Z`;
  // client-go tools/record/event.go, tools/events/recorder.go: the involved object's name + "." + UnixNano in hex
  const unixNano = BigInt(Date.parse(time)) * 1_000_000n + 734_512_000n;
  const metadata: ObjectMeta = {
    name: `${meta.name}.${unixNano.toString(16)}`,
    namespace: meta.namespace,
    uid: uid(11_000_000 + seconds),
    resourceVersion: String(48213950 + seconds),
    creationTimestamp: time,
  };
  if (reason === "Scheduled") {
    metadata.managedFields = [
      entry(
        "kube-scheduler",
        "events.k8s.io/v1",
        time,
        leaves([...["action", "eventTime", "note", "reason", "regarding"], ...["reportingController", "reportingInstance", "type"]]),
      ),
    ];
    return {
      kind: "Event",
      apiVersion: "v1",
      metadata,
      involvedObject: regarding,
      reason,
      message: `Successfully assigned ${meta.namespace}/${meta.name} to ${node}`,
      type: "Normal",
      eventTime: time.replace("Z", ".734512Z"),
      action: "Binding",
      reportingComponent: "default-scheduler",
      reportingInstance: "default-scheduler-control-plane-0",
    };
  }
  const image = container?.image ?? "";
  const message =
    reason === "Pulled"
      ? `Successfully pulled image "${image}" in 2.134s (2.134s including waiting). Image size: 187654321 bytes.`
      : `Started container ${container?.name ?? ""}`;
  metadata.managedFields = [
    entry("kubelet", "v1", time, {
      ...leaves(["count", "firstTimestamp", "involvedObject", "lastTimestamp", "message", "reason"]),
      ...leaves(["reportingComponent", "reportingInstance"]),
      "f:source": leaves(["component", "host"]),
      "f:type": {},
    }),
  ];
  return {
    kind: "Event",
    apiVersion: "v1",
    metadata,
    involvedObject: { ...regarding, fieldPath: `spec.containers{${container?.name ?? ""}}` },
    reason,
    message,
    source: { component: "kubelet", host: node },
    firstTimestamp: time,
    lastTimestamp: time,
    count: 1,
    type: "Normal",
    reportingComponent: "kubelet",
    reportingInstance: node,
  };
}

// ---- Pod with managedFields ----

/**
 * deploymentPod with the managedFields a real cluster stores (`kubectl get pod -o json --show-managed-fields`):
 * - kube-controller-manager's Update (the ReplicaSet controller's create): its template and the defaults applied
 *   when decoding it; not what admission added after (the service-account token volume and mount,
 *   serviceAccountName, tolerations, priority, preemptionPolicy: k8s.io/apiserver pkg/endpoints/handlers/create.go
 *   updates managedFields before mutating admission), nor nodeName (the binding subresource).
 * - the kubelet's Update of the status subresource: what it changed since (phase, conditions it created, IPs,
 *   startTime, containerStatuses, observedGeneration); not qosClass or PodScheduled, set by the apiserver.
 * Item keys come from the object itself (container names, ports, env names, pod IPs, condition types).
 */
export function typicalDeploymentPod(namespace: string, deployment: string, i: number, nodeName: string, ip: string): Pod {
  const pod = deploymentPod(namespace, deployment, i, nodeName, ip);
  const meta = pod.metadata!;
  const spec = pod.spec!;
  const status = pod.status!;
  const containers: FieldSet = {};
  for (const c of spec.containers ?? []) {
    const item: FieldSet = leaves([...["image", "imagePullPolicy", "name"], ...["terminationMessagePath", "terminationMessagePolicy"]]);
    if (c.ports?.length) {
      const ports: FieldSet = {};
      for (const p of c.ports) {
        ports[itemKey({ containerPort: p.containerPort, protocol: p.protocol })] = created(leaves(Object.keys(p)));
      }
      item["f:ports"] = created(ports);
    }
    if (c.env?.length) {
      const env: FieldSet = {};
      for (const e of c.env) {
        // ObjectFieldSelector, ConfigMapKeySelector, SecretKeySelector are +structType=atomic
        env[itemKey({ name: e.name })] = created({
          ...leaves(Object.keys(e).filter((k) => k !== "valueFrom")),
          ...(e.valueFrom ? { "f:valueFrom": created(leaves(Object.keys(e.valueFrom))) } : {}),
        });
      }
      item["f:env"] = created(env);
    }
    const res = c.resources ?? {};
    item["f:resources"] =
      Object.keys(res).length === 0 ? {} : created(Object.fromEntries(Object.entries(res).map(([k, v]) => [`f:${k}`, created(leaves(Object.keys(v)))])));
    if (c.readinessProbe) {
      const { httpGet, ...rest } = c.readinessProbe;
      item["f:readinessProbe"] = created({
        ...leaves(Object.keys(rest)),
        ...(httpGet ? { "f:httpGet": created(leaves(Object.keys(httpGet))) } : {}),
      });
    }
    if (c.securityContext) {
      const { capabilities, ...rest } = c.securityContext;
      item["f:securityContext"] = created({
        ...leaves(Object.keys(rest)),
        ...(capabilities ? { "f:capabilities": created(leaves(Object.keys(capabilities))) } : {}),
      });
    }
    containers[itemKey({ name: c.name })] = created(sortKeys(item));
  }
  const controllerFields: FieldSet = {
    "f:metadata": {
      "f:generateName": {},
      "f:labels": created(leaves(Object.keys(meta.labels ?? {}))),
      // OwnerReference is +structType=atomic: each item is one leaf
      "f:ownerReferences": created(Object.fromEntries((meta.ownerReferences ?? []).map((o) => [itemKey({ uid: o.uid }), {}]))),
    },
    "f:spec": {
      "f:containers": containers,
      ...leaves(["dnsPolicy", "enableServiceLinks", "restartPolicy", "schedulerName", "securityContext"]),
      "f:terminationGracePeriodSeconds": {},
    },
  };
  const conditions: FieldSet = {};
  for (const c of status.conditions ?? []) {
    if (c.type === "PodScheduled") continue;
    // a zero lastProbeTime is still a field: JSON null
    conditions[itemKey({ type: c.type })] = created(
      leaves(["lastProbeTime", "lastTransitionTime", ...Object.keys(c).filter((k) => k !== "lastTransitionTime")]),
    );
  }
  const kubeletFields: FieldSet = {
    "f:status": {
      "f:conditions": sortKeys(conditions),
      "f:containerStatuses": {},
      "f:hostIP": {},
      "f:hostIPs": {},
      "f:observedGeneration": {},
      "f:phase": {},
      "f:podIP": {},
      // podIPs is listType=map keyed by ip; hostIPs and containerStatuses are atomic lists
      "f:podIPs": created(Object.fromEntries((status.podIPs ?? []).map((p) => [itemKey({ ip: p.ip }), created(leaves(["ip"]))]))),
      "f:startTime": {},
    },
  };
  return {
    ...pod,
    metadata: {
      ...meta,
      managedFields: [
        entry("kube-controller-manager", "v1", CREATED, controllerFields),
        entry("kubelet", "v1", "2026-01-01T00:00:08Z", kubeletFields, "status"),
      ],
    },
  };
}

/** A copy of `o` with its keys in sorted order ("." first), as structured-merge-diff serializes a field set. */
function sortKeys(o: FieldSet): FieldSet {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
