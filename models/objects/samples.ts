/**
 * Deterministic sample objects for tests and the benchmark, shaped like what the controllers write:
 * EndpointSlice endpoints as staging/src/k8s.io/endpointslice/utils.go podToEndpoint builds them (addresses[1],
 * conditions, targetRef{kind, namespace, name, uid}, nodeName, zone), Endpoints addresses as the Endpoints
 * controller's podToEndpointAddressForService (ip, nodeName, targetRef{kind, namespace, name, uid}); see
 * ../shared/facts/scale.md section 1.5.
 */
import type { Endpoint, EndpointAddress, EndpointSlice, Endpoints, ObjectMeta, Pod, Service } from "./types.js";

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
 * The name lengths of ../shared/facts/scale.md section 1.5: namespace 13, pod name 37 (`<deploy>-<10-char
 * hash>-<5>`), nodeName 44 (GKE style), zone 13, IPv4 addresses 9–12 chars (10.64.0.0 upwards), uid 36.
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
      ownerReferences: [
        { apiVersion: "v1", kind: "Service", name: service, uid: uid(2_000_000), controller: true, blockOwnerDeletion: true },
      ],
    },
    addressType: opts.addressType ?? "IPv4",
    endpoints,
    ports: [{ name: "http", protocol: "TCP", port: 8080 }],
  };
}

/** An Endpoints object as the Endpoints controller writes it: one subset, ready addresses, one port. */
export function endpoints(
  shape: EndpointShape,
  service: string,
  count: number,
  opts: { notReady?: number; resourceVersion?: string } = {},
): Endpoints {
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
export function clusterIPService(
  namespace: string,
  name: string,
  opts: { headless?: boolean; dualStack?: boolean } = {},
): Service {
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
          volumeMounts: [
            { name: "kube-api-access-8xk2p", readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" },
          ],
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
      conditions: ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"].map(
        (type) => ({ type, observedGeneration: 1, status: "True", lastTransitionTime: time }),
      ),
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
