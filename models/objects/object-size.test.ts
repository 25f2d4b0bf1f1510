import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as arb from "../../test/oracles/object-arbitraries.js";
import { forStorage, jsonSize, protobufEnvelopeSize, protobufSize, storedSize, watchEventSize } from "./object-size.js";
import { encodeBody, encodeEnvelope, encodeJson, encodeWatchEvent } from "../../test/oracles/reference-encoders.js";
import * as sample from "./samples.js";
import type { EndpointShape } from "./samples.js";
import type { Endpoint, EndpointSlice, Endpoints, Event, KubeObject, Node, WatchEventType } from "./types.js";

const SHAPE: EndpointShape = sample.SCALE_MD_SHAPE;
const IPV6_SHAPE: EndpointShape = { ...SHAPE, ip: sample.ipv6 };

/** Every size of `obj` against its reference encoding. */
function expectAllSizesExact(obj: KubeObject): void {
  const body = encodeBody(obj);
  expect(protobufSize(obj), "protobuf body").toBe(body.length);
  const envelope = encodeEnvelope(obj.kind, body);
  expect(protobufEnvelopeSize(obj), "protobuf envelope").toBe(envelope.length);
  expect(storedSize(obj), "etcd value").toBe(encodeEnvelope(obj.kind, encodeBody(forStorage(obj))).length);
  const json = encodeJson(obj);
  expect(jsonSize(obj), `json ${json.toString().slice(0, 300)}`).toBe(json.length);
  for (const type of ["ADDED", "MODIFIED", "DELETED"] as WatchEventType[]) {
    expect(watchEventSize(obj, "protobuf", type), `protobuf ${type}`).toBe(encodeWatchEvent(type, envelope).length);
    const jsonEvent = Buffer.from(`{"type":"${type}","object":${json.toString()}}\n`);
    expect(watchEventSize(obj, "json", type), `json ${type}`).toBe(jsonEvent.length);
  }
}

function withEndpoints(slice: EndpointSlice, map: (ep: Endpoint, i: number) => Endpoint): EndpointSlice {
  return { ...slice, endpoints: slice.endpoints!.map(map) };
}

describe("EndpointSlice sizes equal real encodings", () => {
  for (const n of [0, 1, 100, 1000]) {
    it(`${n} IPv4 endpoints`, () => expectAllSizesExact(sample.endpointSlice(SHAPE, "checkout-api", n)));
  }
  it("100 IPv6 endpoints", () => expectAllSizesExact(sample.endpointSlice(IPV6_SHAPE, "checkout-api", 100, { addressType: "IPv6" })));

  it("with and without zone, nodeName, targetRef, hostname, hints", () => {
    const base = sample.endpointSlice(SHAPE, "checkout-api", 50);
    const variants = [
      withEndpoints(base, ({ zone: _zone, ...ep }) => ep),
      withEndpoints(base, ({ nodeName: _nodeName, ...ep }) => ep),
      withEndpoints(base, ({ targetRef: _targetRef, ...ep }) => ep),
      withEndpoints(base, (ep, i) => ({ ...ep, hostname: `web-${i}` })),
      withEndpoints(base, (ep) => ({ ...ep, hints: { forZones: [{ name: "us-central1-a" }] } })),
      withEndpoints(base, (ep) => ({ ...ep, hints: { forZones: [{ name: "a" }, { name: "b" }], forNodes: [{ name: "n" }] } })),
      withEndpoints(base, (ep) => ({ ...ep, hints: {} })),
    ];
    for (const slice of variants) expectAllSizesExact(slice);
  });

  it("with terminating/serving conditions set and unset", () => {
    const base = sample.endpointSlice(SHAPE, "checkout-api", 8);
    const conditions = [{}, { ready: true }, { ready: false, serving: true, terminating: true }, { serving: false }, { terminating: false }, undefined];
    for (const c of conditions) expectAllSizesExact(withEndpoints(base, (ep) => ({ ...ep, conditions: c })));
  });

  it("for random slices (property)", () => {
    fc.assert(
      fc.property(arb.endpointSlice, (slice) => expectAllSizesExact(slice)),
      { numRuns: 200 },
    );
  });
});

describe("Endpoints sizes equal real encodings", () => {
  for (const n of [0, 1, 100, 1000, 5000]) {
    it(`${n} ready addresses`, () => expectAllSizesExact(sample.endpoints(SHAPE, "checkout-api", n)));
  }
  it("ready and not-ready addresses", () => expectAllSizesExact(sample.endpoints(SHAPE, "checkout-api", 70, { notReady: 30 })));
  it("only not-ready addresses", () => expectAllSizesExact(sample.endpoints(SHAPE, "checkout-api", 0, { notReady: 3 })));

  it("several subsets and ports", () => {
    const base = sample.endpoints(SHAPE, "checkout-api", 40, { notReady: 5 });
    const subset = base.subsets![0];
    const multi: Endpoints = {
      ...base,
      subsets: [
        subset,
        {
          addresses: subset.addresses!.slice(0, 10).map((a) => ({ ...a, hostname: "h" })),
          ports: [
            { name: "http", port: 8080, protocol: "TCP" },
            { name: "grpc", port: 9090, protocol: "TCP", appProtocol: "kubernetes.io/h2c" },
            { port: 53, protocol: "UDP" },
          ],
        },
        { notReadyAddresses: subset.addresses!.slice(10, 12), ports: [{ port: 0 }] },
      ],
    };
    expectAllSizesExact(multi);
  });

  it("for random Endpoints (property)", () => {
    fc.assert(
      fc.property(arb.endpoints, (e) => expectAllSizesExact(e)),
      { numRuns: 200 },
    );
  });
});

describe("Service sizes equal real encodings", () => {
  it("ClusterIP, headless, dual-stack", () => {
    expectAllSizesExact(sample.clusterIPService("team-payments", "checkout-api"));
    expectAllSizesExact(sample.clusterIPService("team-payments", "checkout-api", { headless: true }));
    expectAllSizesExact(sample.clusterIPService("team-payments", "checkout-api", { dualStack: true }));
  });

  it("LoadBalancer with status, session affinity and every optional spec field", () => {
    const svc = sample.clusterIPService("team-payments", "checkout-api");
    expectAllSizesExact({
      ...svc,
      metadata: {
        ...svc.metadata,
        deletionTimestamp: "2026-02-03T04:05:06Z",
        deletionGracePeriodSeconds: 0,
        finalizers: ["service.kubernetes.io/load-balancer-cleanup"],
      },
      spec: {
        ...svc.spec,
        type: "LoadBalancer",
        ports: [{ name: "https", protocol: "TCP", appProtocol: "https", port: 443, targetPort: 8443, nodePort: 31443 }],
        externalIPs: ["203.0.113.9"],
        loadBalancerIP: "203.0.113.10",
        loadBalancerSourceRanges: ["0.0.0.0/0"],
        externalTrafficPolicy: "Local",
        healthCheckNodePort: 32000,
        publishNotReadyAddresses: true,
        sessionAffinity: "ClientIP",
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        allocateLoadBalancerNodePorts: false,
        loadBalancerClass: "example.com/lb",
        trafficDistribution: "PreferClose",
      },
      status: {
        loadBalancer: { ingress: [{ ip: "203.0.113.10", ipMode: "VIP", ports: [{ port: 443, protocol: "TCP", error: "x" }] }] },
        conditions: [
          { type: "Ready", status: "True", observedGeneration: 2, lastTransitionTime: sample.CREATED, reason: "Ok", message: "" },
          { type: "Zero", status: "Unknown" },
        ],
      },
    });
  });

  it("ExternalName with an empty status", () => {
    expectAllSizesExact({
      kind: "Service",
      apiVersion: "v1",
      metadata: { name: "db", namespace: "default" },
      spec: { type: "ExternalName", externalName: "db.example.com" },
    });
  });
});

describe("Pod sizes equal real encodings", () => {
  it("a running Deployment pod", () => {
    expectAllSizesExact(sample.deploymentPod("team-payments", "checkout-api-service", 1, "node-00001", "10.64.0.5"));
  });

  it("a pod using every modelled field", () => {
    const pod = sample.deploymentPod("team-payments", "checkout-api-service", 2, "node-00002", "10.64.0.6");
    const app = pod.spec!.containers![0];
    expectAllSizesExact({
      ...pod,
      metadata: {
        ...pod.metadata,
        managedFields: [
          {
            manager: "kube-controller-manager",
            operation: "Update",
            apiVersion: "v1",
            time: sample.CREATED,
            fieldsType: "FieldsV1",
            fieldsV1: { "f:metadata": { "f:labels": { ".": {}, "f:app": {} } }, "f:spec": { "f:containers": { 'k:{"name":"app"}': {} } } },
          },
          { manager: "kubelet", operation: "Update", subresource: "status", fieldsV1: {} },
        ],
      },
      spec: {
        ...pod.spec,
        volumes: [
          ...pod.spec!.volumes!,
          { name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
          { name: "tls", secret: { secretName: "tls", items: [{ key: "tls.crt", path: "tls.crt", mode: 256 }], defaultMode: 420, optional: false } },
          { name: "cfg", configMap: { name: "app-config", defaultMode: 511, optional: true } },
          { name: "sec", projected: { sources: [{ secret: { name: "s", optional: true } }] } },
        ],
        initContainers: [{ name: "init", image: "busybox", command: ["sh", "-c"], args: ["echo <ok> & done"], restartPolicy: "Always" }],
        containers: [
          {
            ...app,
            workingDir: "/srv",
            env: [
              ...app.env!,
              { name: "CM", valueFrom: { configMapKeyRef: { name: "cm", key: "k", optional: true } } },
              { name: "SEC", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
              { name: "EMPTY" },
            ],
            livenessProbe: { exec: { command: ["cat", "/tmp/ok"] }, initialDelaySeconds: 5, terminationGracePeriodSeconds: 10 },
            startupProbe: { tcpSocket: { port: "http", host: "localhost" }, failureThreshold: 30 },
            readinessProbe: { httpGet: { path: "/", port: "http", host: "h", httpHeaders: [{ name: "X", value: "y" }], protocol: "HTTP" } },
            volumeMounts: [
              {
                name: "cfg",
                mountPath: "/etc/app",
                subPath: "a",
                subPathExpr: "",
                mountPropagation: "None",
                recursiveReadOnly: "IfPossible",
                bindMountOptions: ["ro"],
              },
            ],
            securityContext: {
              capabilities: { add: ["NET_ADMIN"], drop: ["ALL"] },
              privileged: false,
              runAsUser: 1000,
              runAsGroup: 3000,
              runAsNonRoot: true,
              readOnlyRootFilesystem: true,
              allowPrivilegeEscalation: false,
              procMount: "Default",
              seccompProfile: { type: "Localhost", localhostProfile: "p.json" },
            },
            stdin: true,
            stdinOnce: true,
            tty: true,
          },
        ],
        activeDeadlineSeconds: 600,
        nodeSelector: { "kubernetes.io/os": "linux", "topology.kubernetes.io/zone": "us-central1-a" },
        automountServiceAccountToken: false,
        hostNetwork: true,
        hostPID: true,
        hostIPC: true,
        shareProcessNamespace: true,
        securityContext: {
          runAsUser: 1000,
          runAsGroup: 3000,
          runAsNonRoot: true,
          supplementalGroups: [4000, 5000],
          supplementalGroupsPolicy: "Merge",
          fsGroup: 2000,
          fsGroupChangePolicy: "OnRootMismatch",
          seccompProfile: { type: "RuntimeDefault" },
        },
        imagePullSecrets: [{ name: "regcred" }, {}],
        hostname: "web-0",
        subdomain: "web",
        priorityClassName: "high",
        priority: 1000000,
        runtimeClassName: "gvisor",
        setHostnameAsFQDN: true,
        hostUsers: false,
      },
      status: {
        ...pod.status,
        message: "m",
        reason: "r",
        nominatedNodeName: "node-9",
        resize: "",
        conditions: [{ type: "Ready", status: "False", lastProbeTime: sample.CREATED, reason: "ContainersNotReady", message: "not ready" }],
        initContainerStatuses: [
          {
            name: "init",
            state: { terminated: { exitCode: 0, reason: "Completed", startedAt: sample.CREATED, finishedAt: sample.CREATED, containerID: "containerd://x" } },
            lastState: { waiting: { reason: "PodInitializing", message: "" } },
            ready: false,
            restartCount: -1,
            image: "busybox",
            imageID: "",
          },
        ],
        containerStatuses: [
          {
            ...pod.status!.containerStatuses![0],
            allocatedResources: { cpu: "250m", memory: "256Mi" },
            resources: { requests: { cpu: "250m" } },
            stopSignal: "SIGTERM",
            state: { terminated: { exitCode: 137, signal: 9 } },
          },
        ],
      },
    });
  });

  it("a pod with nothing set", () => {
    expectAllSizesExact({ kind: "Pod", apiVersion: "v1" });
  });

  it("a Deployment pod with its managedFields (kube-controller-manager, kubelet status)", () => {
    const pod = sample.typicalDeploymentPod("team-payments", "checkout-api-service", 1, sample.nodeName(1), "10.64.0.5");
    expect(pod.metadata!.managedFields).toHaveLength(2);
    expectAllSizesExact(pod);
  });
});

describe("Node sizes equal real encodings", () => {
  it("a node as the kubelet and the controllers write it", () => {
    for (const i of [1, 300, 4999]) expectAllSizesExact(sample.kubeletNode(i));
  });

  it("a node with nothing set, and with empty spec and status", () => {
    expectAllSizesExact({ kind: "Node", apiVersion: "v1" });
    expectAllSizesExact({ kind: "Node", apiVersion: "v1", metadata: { name: "n" }, spec: {}, status: {} });
  });

  it("with and without taints, unschedulable, externalID, volumes, declaredFeatures and the optional status parts", () => {
    const base = sample.kubeletNode(2);
    const status = base.status!;
    const variants: Node[] = [
      {
        ...base,
        spec: {
          ...base.spec,
          unschedulable: true,
          externalID: "i-0123456789abcdef0",
          taints: [
            { key: "node.kubernetes.io/unschedulable", effect: "NoSchedule", timeAdded: "2026-01-02T03:04:05Z" },
            { key: "dedicated", value: "payments", effect: "NoExecute" },
            {},
          ],
        },
      },
      {
        ...base,
        status: {
          ...status,
          phase: "Running",
          volumesInUse: ["kubernetes.io/csi/pd.csi.storage.gke.io^projects/p/zones/z/disks/pvc-1"],
          volumesAttached: [{ name: "kubernetes.io/csi/pd.csi.storage.gke.io^projects/p/zones/z/disks/pvc-1", devicePath: "" }, {}],
          declaredFeatures: ["InPlacePodVerticalScaling"],
        },
      },
      // what an older kubelet writes: no swap, runtimeHandlers or features
      {
        ...base,
        status: {
          ...status,
          nodeInfo: { ...status.nodeInfo, swap: undefined, kubeProxyVersion: "v1.28.9" },
          runtimeHandlers: undefined,
          features: undefined,
        },
      },
      {
        ...base,
        status: {
          ...status,
          nodeInfo: { ...status.nodeInfo, swap: {} },
          runtimeHandlers: [{ name: "" }, { name: "gvisor", features: {} }],
          features: {},
          images: [{ sizeBytes: 0 }, { names: [] }, { names: ["a"] }],
          conditions: [{ type: "Ready", status: "Unknown" }],
          addresses: [{}],
          daemonEndpoints: {},
        },
      },
      { ...base, status: { ...status, nodeInfo: undefined, daemonEndpoints: undefined, images: undefined, conditions: undefined } },
    ];
    for (const n of variants) expectAllSizesExact(n);
  });

  it("with 50 images of 3 names (the kubelet's cap), crossing multi-byte length prefixes", () => {
    const base = sample.kubeletNode(3);
    const images = Array.from({ length: 50 }, (_, k) => ({
      names: [
        `registry.example.com/team-${k}/service@sha256:${"ab".repeat(32)}`,
        `registry.example.com/team-${k}/service:v${k}`,
        `registry.example.com/team-${k}/service:latest`,
      ],
      sizeBytes: 1_000_000 * (50 - k),
    }));
    expectAllSizesExact({ ...base, status: { ...base.status, images } });
  });

  it("for random nodes (property)", () => {
    fc.assert(
      fc.property(arb.node, (n) => expectAllSizesExact(n)),
      { numRuns: 150 },
    );
  });
});

describe("Lease sizes equal real encodings", () => {
  it("a kubelet node Lease", () => {
    expectAllSizesExact(sample.nodeLease(1));
    expectAllSizesExact(sample.nodeLease(4999));
  });

  it("a lease with nothing set, with an empty spec, and with every field", () => {
    expectAllSizesExact({ kind: "Lease", apiVersion: "coordination.k8s.io/v1" });
    expectAllSizesExact({ kind: "Lease", apiVersion: "coordination.k8s.io/v1", metadata: { name: "l", namespace: "kube-system" }, spec: {} });
    const lease = sample.nodeLease(1);
    expectAllSizesExact({
      ...lease,
      spec: {
        ...lease.spec,
        acquireTime: "2026-01-01T00:00:00.000000Z",
        leaseTransitions: 0,
        strategy: "OldestEmulationVersion",
        preferredHolder: "kube-controller-manager-b",
      },
    });
  });

  it("MicroTime edge cases: zero time, microseconds at the zero second, before 1970, offsets, fraction digits", () => {
    const lease = sample.nodeLease(1);
    const times = [
      "0001-01-01T00:00:00.000000Z", // zero: an empty Timestamp, JSON null
      "0001-01-01T00:00:00.000001Z",
      "1969-12-31T23:59:59.999999Z",
      "1970-01-01T00:00:00.000000Z",
      "2026-01-01T06:15:32.482913+02:00",
      "2026-01-01T06:15:32.4829139Z", // nanoseconds truncated to microseconds
      "2026-01-01T06:15:32Z",
      "9999-12-31T23:59:59.999999Z",
    ];
    for (const t of times) expectAllSizesExact({ ...lease, spec: { ...lease.spec, renewTime: t, acquireTime: t } });
  });

  it("for random leases (property)", () => {
    fc.assert(
      fc.property(arb.lease, (l) => expectAllSizesExact(l)),
      { numRuns: 300 },
    );
  });
});

describe("Event sizes equal real encodings", () => {
  const pod = sample.typicalDeploymentPod("team-payments", "checkout-api-service", 1, sample.nodeName(1), "10.64.0.5");

  it("Scheduled (events.k8s.io/v1 recorder), Pulled and Started (core/v1 recorder)", () => {
    for (const reason of ["Scheduled", "Pulled", "Started"] as const) expectAllSizesExact(sample.podEvent(pod, reason));
  });

  it("an event with nothing set: metadata, involvedObject, source, eventTime are written anyway", () => {
    const empty: Event = { kind: "Event", apiVersion: "v1" };
    expectAllSizesExact(empty);
    expect(jsonSize(empty)).toBe(
      '{"kind":"Event","apiVersion":"v1","metadata":{},"involvedObject":{},"source":{},"firstTimestamp":null,"lastTimestamp":null,"eventTime":null,"reportingComponent":"","reportingInstance":""}'
        .length,
    );
  });

  it("a series with a related object, and an empty series", () => {
    const ev = sample.podEvent(pod, "Scheduled");
    expectAllSizesExact({
      ...ev,
      series: { count: 12, lastObservedTime: "2026-01-01T00:10:00.123456Z" },
      related: { kind: "Node", name: sample.nodeName(1), apiVersion: "v1" },
      count: 0,
    });
    expectAllSizesExact({ ...ev, series: {} });
  });

  it("for random events (property)", () => {
    fc.assert(
      fc.property(arb.event, (e) => expectAllSizesExact(e)),
      { numRuns: 300 },
    );
  });
});

describe("typical objects of a 1.3x cluster (regression values)", () => {
  const pod = sample.deploymentPod("team-payments", "checkout-api-service", 1, sample.nodeName(1), "10.64.0.5");
  const typical = sample.typicalDeploymentPod("team-payments", "checkout-api-service", 1, sample.nodeName(1), "10.64.0.5");
  const rows: [string, KubeObject, { body: number; stored: number; json: number }][] = [
    ["kubeletNode(1)", sample.kubeletNode(1), { body: 5309, stored: 5324, json: 7159 }],
    ["nodeLease(1)", sample.nodeLease(1), { body: 544, stored: 580, json: 908 }],
    ["podEvent Scheduled", sample.podEvent(typical, "Scheduled"), { body: 697, stored: 713, json: 1144 }],
    ["podEvent Pulled", sample.podEvent(typical, "Pulled"), { body: 840, stored: 856, json: 1331 }],
    ["podEvent Started", sample.podEvent(typical, "Started"), { body: 718, stored: 734, json: 1208 }],
    ["typicalDeploymentPod", typical, { body: 3875, stored: 3889, json: 6199 }],
    ["deploymentPod", pod, { body: 1771, stored: 1785, json: 3912 }],
  ];
  for (const [name, obj, want] of rows) {
    it(`${name}: ${want.body} B body, ${want.stored} B in etcd, ${want.json} B JSON`, () => {
      expect({ body: protobufSize(obj), stored: storedSize(obj), json: jsonSize(obj) }).toEqual(want);
    });
  }

  it("a 10-digit resourceVersion adds 2 B to body and JSON, nothing in etcd (cleared there) except an Event's involvedObject's", () => {
    for (const [name, obj] of rows) {
      const rv10 = JSON.parse(JSON.stringify(obj));
      rv10.metadata.resourceVersion = "4821399012";
      expect(protobufSize(rv10) - protobufSize(obj), name).toBe(2);
      expect(jsonSize(rv10) - jsonSize(obj), name).toBe(2);
      expect(storedSize(rv10), name).toBe(storedSize(obj));
      if (rv10.kind === "Event") {
        rv10.involvedObject.resourceVersion = "4821394100";
        expect(storedSize(rv10) - storedSize(obj), name).toBe(2);
      }
    }
  });
});
