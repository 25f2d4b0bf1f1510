import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as arb from "./arbitraries.js";
import {
  forStorage,
  jsonSize,
  protobufEnvelopeSize,
  protobufSize,
  storedSize,
  watchEventSize,
} from "./object-size.js";
import { encodeBody, encodeEnvelope, encodeJson, encodeWatchEvent } from "./reference-encoders.js";
import * as sample from "./samples.js";
import type { EndpointShape } from "./samples.js";
import type { Endpoint, EndpointSlice, Endpoints, KubeObject, WatchEventType } from "./types.js";

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
  it("100 IPv6 endpoints", () =>
    expectAllSizesExact(sample.endpointSlice(IPV6_SHAPE, "checkout-api", 100, { addressType: "IPv6" })));

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
    const conditions = [
      {},
      { ready: true },
      { ready: false, serving: true, terminating: true },
      { serving: false },
      { terminating: false },
      undefined,
    ];
    for (const c of conditions) expectAllSizesExact(withEndpoints(base, (ep) => ({ ...ep, conditions: c })));
  });

  it("for random slices (property)", () => {
    fc.assert(fc.property(arb.endpointSlice, (slice) => expectAllSizesExact(slice)), { numRuns: 200 });
  });
});

describe("Endpoints sizes equal real encodings", () => {
  for (const n of [0, 1, 100, 1000, 5000]) {
    it(`${n} ready addresses`, () => expectAllSizesExact(sample.endpoints(SHAPE, "checkout-api", n)));
  }
  it("ready and not-ready addresses", () =>
    expectAllSizesExact(sample.endpoints(SHAPE, "checkout-api", 70, { notReady: 30 })));
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
    fc.assert(fc.property(arb.endpoints, (e) => expectAllSizesExact(e)), { numRuns: 200 });
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
      metadata: { ...svc.metadata, deletionTimestamp: "2026-02-03T04:05:06Z", deletionGracePeriodSeconds: 0, finalizers: ["service.kubernetes.io/load-balancer-cleanup"] },
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
              { name: "cfg", mountPath: "/etc/app", subPath: "a", subPathExpr: "", mountPropagation: "None", recursiveReadOnly: "IfPossible", bindMountOptions: ["ro"] },
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
});
