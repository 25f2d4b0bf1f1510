import { describe, expect, it } from "vitest";
import { parseKubeObject } from "./kubectl.js";
import { jsonSize, protobufSize } from "./object-size.js";
import { encodeBody, encodeJson } from "../../test/oracles/reference-encoders.js";
import * as sample from "./samples.js";

// Shaped like `kubectl get endpointslice -n team-payments checkout-api-x7k2q -o json` (managedFields hidden, as
// kubectl does by default), with fields the model does not hold.
const KUBECTL_SLICE = `{
    "addressType": "IPv4",
    "apiVersion": "discovery.k8s.io/v1",
    "endpoints": [
        {
            "addresses": ["10.64.0.5"],
            "conditions": { "ready": true, "serving": true, "terminating": false },
            "nodeName": "gke-prod-cluster-default-pool-1a2b3c4d-00001",
            "targetRef": { "kind": "Pod", "name": "checkout-api-service-7d9f8b6c5d-00001", "namespace": "team-payments", "uid": "6f1c2a3b-4d5e-4f60-8a9b-0000c5a1a2b3" },
            "zone": "us-central1-a",
            "futureField": { "x": 1 }
        }
    ],
    "kind": "EndpointSlice",
    "metadata": {
        "annotations": { "endpoints.kubernetes.io/last-change-trigger-time": "2026-01-01T00:00:00Z" },
        "creationTimestamp": "2026-01-01T00:00:00Z",
        "generateName": "checkout-api-",
        "generation": 3,
        "labels": { "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io", "kubernetes.io/service-name": "checkout-api" },
        "name": "checkout-api-x7k2q",
        "namespace": "team-payments",
        "ownerReferences": [ { "apiVersion": "v1", "blockOwnerDeletion": true, "controller": true, "kind": "Service", "name": "checkout-api", "uid": "6f1c2a3b-4d5e-4f60-8a9b-000000000001" } ],
        "resourceVersion": "48213977",
        "uid": "6f1c2a3b-4d5e-4f60-8a9b-000000000002"
    },
    "ports": [ { "name": "http", "port": 8080, "protocol": "TCP" } ]
}`;

// Shaped like `kubectl get node -o json` from an older cluster: status.config and spec.configSource (dynamic
// kubelet config, not modelled), volumes attached, a cordoned node's taint; managedFields hidden.
const KUBECTL_NODE = `{
    "apiVersion": "v1",
    "kind": "Node",
    "metadata": {
        "annotations": { "node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true" },
        "creationTimestamp": "2026-01-01T00:00:05Z",
        "labels": { "kubernetes.io/hostname": "node-1", "kubernetes.io/os": "linux", "topology.kubernetes.io/zone": "us-central1-a" },
        "name": "node-1",
        "resourceVersion": "48213990",
        "uid": "6f1c2a3b-4d5e-4f60-8a9b-000000000011"
    },
    "spec": {
        "configSource": { "configMap": { "name": "kubelet-config", "namespace": "kube-system", "kubeletConfigKey": "kubelet" } },
        "podCIDR": "10.64.1.0/24",
        "podCIDRs": ["10.64.1.0/24"],
        "taints": [ { "effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "timeAdded": "2026-01-02T00:00:00Z" } ],
        "unschedulable": true
    },
    "status": {
        "addresses": [ { "address": "10.128.0.17", "type": "InternalIP" }, { "address": "node-1", "type": "Hostname" } ],
        "allocatable": { "cpu": "7910m", "memory": "29094972Ki", "pods": "110" },
        "capacity": { "cpu": "8", "memory": "32866876Ki", "pods": "110" },
        "conditions": [
            { "lastHeartbeatTime": "2026-01-01T06:14:52Z", "lastTransitionTime": "2026-01-01T00:00:25Z", "message": "kubelet is posting ready status", "reason": "KubeletReady", "status": "True", "type": "Ready" }
        ],
        "config": { "active": { "configMap": { "name": "kubelet-config" } } },
        "daemonEndpoints": { "kubeletEndpoint": { "Port": 10250 } },
        "images": [ { "names": ["registry.k8s.io/pause:3.10"], "sizeBytes": 320368 } ],
        "nodeInfo": {
            "architecture": "amd64", "bootID": "b", "containerRuntimeVersion": "containerd://1.7.24", "kernelVersion": "6.1.0",
            "kubeProxyVersion": "v1.28.9", "kubeletVersion": "v1.28.9", "machineID": "m", "operatingSystem": "linux",
            "osImage": "Ubuntu 22.04.4 LTS", "systemUUID": "s"
        },
        "volumesAttached": [ { "devicePath": "", "name": "kubernetes.io/csi/pd.csi.storage.gke.io^pvc-1" } ],
        "volumesInUse": [ "kubernetes.io/csi/pd.csi.storage.gke.io^pvc-1" ]
    }
}`;

describe("parseKubeObject", () => {
  it("reads a Node as kubectl prints it, listing the fields it drops", () => {
    const { object, ignored } = parseKubeObject(JSON.parse(KUBECTL_NODE));
    expect(object.kind).toBe("Node");
    expect(ignored).toEqual(["spec.configSource", "status.config"]);
    expect(protobufSize(object)).toBe(encodeBody(object).length);
    expect(jsonSize(object)).toBe(encodeJson(object).length);
  });

  it("reads a Lease and an Event, MicroTimes included", () => {
    const lease = JSON.parse(JSON.stringify(sample.nodeLease(1)));
    lease.spec.acquireTime = "2026-01-01T00:00:05.000000+00:00";
    const event = JSON.parse(JSON.stringify(sample.podEvent(sample.deploymentPod("ns", "web", 1, "node-1", "10.0.0.1"), "Scheduled")));
    event.series = { count: 2, lastObservedTime: "2026-01-01T00:01:00.000001Z" };
    event.deprecatedField = 1;
    for (const o of [lease, event]) {
      const { object } = parseKubeObject(o);
      expect(protobufSize(object)).toBe(encodeBody(object).length);
      expect(jsonSize(object)).toBe(encodeJson(object).length);
    }
    expect(parseKubeObject(event).ignored).toEqual(["deprecatedField"]);
  });

  it("takes a MicroTime only with six fraction digits, as RFC3339Micro parsing does", () => {
    const lease =
      (renewTime: unknown): (() => unknown) =>
      () =>
        parseKubeObject({ ...sample.nodeLease(1), spec: { renewTime } });
    expect(lease("2026-01-01T06:15:32.482913Z")).not.toThrow();
    for (const bad of ["2026-01-01T06:15:32Z", "2026-01-01T06:15:32.482Z", "2026-01-01T06:15:32.482913123Z", "2026-13-01T06:15:32.482913Z", 1767248132]) {
      expect(lease(bad)).toThrow(
        `spec.renewTime: must be an RFC 3339 time with microseconds such as "2026-01-01T00:00:00.000000Z" (got ${JSON.stringify(bad)})`,
      );
    }
    expect(() => parseKubeObject({ kind: "Lease", apiVersion: "v1" })).toThrow('apiVersion: must be "coordination.k8s.io/v1" for kind Lease (got "v1")');
  });

  it("reads an EndpointSlice as kubectl prints it, listing the fields it drops", () => {
    const { object, ignored } = parseKubeObject(JSON.parse(KUBECTL_SLICE));
    expect(object.kind).toBe("EndpointSlice");
    expect(ignored).toEqual(["endpoints[0].futureField"]);
    expect(protobufSize(object)).toBe(encodeBody(object).length);
    expect(jsonSize(object)).toBe(encodeJson(object).length);
  });

  it("round-trips every sample object unchanged", () => {
    const objects = [
      sample.endpointSlice(sample.SCALE_MD_SHAPE, "checkout-api", 3),
      sample.endpoints(sample.SCALE_MD_SHAPE, "checkout-api", 3, { notReady: 1 }),
      sample.clusterIPService("team-payments", "checkout-api", { dualStack: true }),
      sample.deploymentPod("team-payments", "checkout-api-service", 1, "node-00001", "10.64.0.5"),
      sample.typicalDeploymentPod("team-payments", "checkout-api-service", 1, sample.nodeName(1), "10.64.0.5"),
      sample.kubeletNode(1),
      sample.nodeLease(1),
      ...(["Scheduled", "Pulled", "Started"] as const).map((r) =>
        sample.podEvent(sample.deploymentPod("team-payments", "checkout-api-service", 1, sample.nodeName(1), "10.64.0.5"), r),
      ),
    ];
    for (const o of objects) {
      const { object, ignored } = parseKubeObject(JSON.parse(JSON.stringify(o)));
      expect(object).toEqual(o);
      expect(ignored).toEqual([]);
    }
  });

  it("drops unmodelled Pod and Service fields with their paths", () => {
    const pod = JSON.parse(JSON.stringify(sample.deploymentPod("ns", "web", 1, "node-1", "10.0.0.1")));
    pod.spec.affinity = { podAntiAffinity: {} };
    pod.spec.containers[0].lifecycle = { preStop: {} };
    pod.spec.volumes.push({ name: "data", persistentVolumeClaim: { claimName: "data" } });
    pod.status.containerStatuses[0].allocatedResourcesStatus = [];
    const svc = JSON.parse(JSON.stringify(sample.clusterIPService("ns", "web")));
    svc.spec.unknownThing = true;
    expect(parseKubeObject(pod).ignored).toEqual([
      "spec.volumes[1].persistentVolumeClaim",
      "spec.containers[0].lifecycle",
      "spec.affinity",
      "status.containerStatuses[0].allocatedResourcesStatus",
    ]);
    expect(parseKubeObject(svc).ignored).toEqual(["spec.unknownThing"]);
  });

  it("treats null as unset, as Go's decoder does", () => {
    const { object } = parseKubeObject({
      kind: "EndpointSlice",
      apiVersion: "discovery.k8s.io/v1",
      metadata: { name: "s", labels: null },
      addressType: "IPv4",
      endpoints: null,
      ports: null,
    });
    expect(object).toEqual({ kind: "EndpointSlice", apiVersion: "discovery.k8s.io/v1", metadata: { name: "s" }, addressType: "IPv4" });
  });

  it("names the field and what it allows when a known field has the wrong type", () => {
    // biome-ignore lint/suspicious/noExplicitAny: each case mutates a different path of the parsed JSON
    const bad = (mutate: (o: any) => void): (() => unknown) => {
      const o = JSON.parse(KUBECTL_SLICE);
      mutate(o);
      return () => parseKubeObject(o);
    };
    expect(bad((o) => (o.ports[0].port = "8080"))).toThrow('ports[0].port: must be an integer in -2147483648..2147483647 (got "8080")');
    expect(bad((o) => (o.endpoints[0].conditions.ready = "yes"))).toThrow('endpoints[0].conditions.ready: must be true or false (got "yes")');
    expect(bad((o) => (o.endpoints[0].addresses = "10.0.0.1"))).toThrow("endpoints[0].addresses: must be a list of a string");
    expect(bad((o) => (o.endpoints[0].addresses = [1]))).toThrow("endpoints[0].addresses[0]: must be a string (got 1)");
    expect(bad((o) => (o.metadata.labels = { a: 1 }))).toThrow("metadata.labels.a: must be a string (got 1)");
    expect(bad((o) => (o.metadata.creationTimestamp = "yesterday"))).toThrow(
      'metadata.creationTimestamp: must be an RFC 3339 time such as "2026-01-01T00:00:00Z" (got "yesterday")',
    );
    expect(bad((o) => (o.metadata.generation = 1.5))).toThrow("metadata.generation: must be an integer");
    expect(bad((o) => (o.endpoints[0].targetRef = "pod"))).toThrow('endpoints[0].targetRef: must be an object (got "pod")');
    const svc = JSON.parse(JSON.stringify(sample.clusterIPService("ns", "web")));
    svc.spec.ports[0].targetPort = true;
    expect(() => parseKubeObject(svc)).toThrow("spec.ports[0].targetPort: must be an integer in -2147483648..2147483647 or a string (got true)");
    const pod = JSON.parse(JSON.stringify(sample.deploymentPod("ns", "web", 1, "node-1", "10.0.0.1")));
    pod.spec.containers[0].resources.requests.cpu = 0.25;
    expect(() => parseKubeObject(pod)).toThrow('spec.containers[0].resources.requests.cpu: must be a quantity string such as "100m" or "128Mi" (got 0.25)');
  });

  it("rejects other kinds, lists, wrong apiVersions and non-objects", () => {
    expect(() => parseKubeObject({ kind: "Deployment", apiVersion: "apps/v1" })).toThrow(
      'kind: must be one of EndpointSlice, Endpoints, Service, Pod, Node, Lease, Event (got "Deployment")',
    );
    expect(() => parseKubeObject({ kind: "List", apiVersion: "v1", items: [{}, {}] })).toThrow(
      "kind: List holds 2 item(s); pass a single object (kubectl get <kind> <name> -o json), not a list",
    );
    expect(() => parseKubeObject({ kind: "EndpointSliceList", apiVersion: "discovery.k8s.io/v1", items: [] })).toThrow("not a list");
    expect(() => parseKubeObject({ kind: "EndpointSlice", apiVersion: "discovery.k8s.io/v1beta1" })).toThrow(
      'apiVersion: must be "discovery.k8s.io/v1" for kind EndpointSlice (got "discovery.k8s.io/v1beta1")',
    );
    expect(() => parseKubeObject([])).toThrow("expected one JSON object (kubectl get ... -o json), got a list");
    expect(() => parseKubeObject({ apiVersion: "v1" })).toThrow(
      "kind: must be one of EndpointSlice, Endpoints, Service, Pod, Node, Lease, Event (got nothing)",
    );
  });
});
