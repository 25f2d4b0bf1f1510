import { describe, expect, it } from "vitest";
import { parseKubeObject } from "./kubectl.js";
import { jsonSize, protobufSize } from "./object-size.js";
import { encodeBody, encodeJson } from "./reference-encoders.js";
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

describe("parseKubeObject", () => {
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
      'kind: must be one of EndpointSlice, Endpoints, Service, Pod (got "Deployment")',
    );
    expect(() => parseKubeObject({ kind: "List", apiVersion: "v1", items: [{}, {}] })).toThrow(
      "kind: List holds 2 item(s); pass a single object (kubectl get <kind> <name> -o json), not a list",
    );
    expect(() => parseKubeObject({ kind: "EndpointSliceList", apiVersion: "discovery.k8s.io/v1", items: [] })).toThrow(
      "not a list",
    );
    expect(() => parseKubeObject({ kind: "EndpointSlice", apiVersion: "discovery.k8s.io/v1beta1" })).toThrow(
      'apiVersion: must be "discovery.k8s.io/v1" for kind EndpointSlice (got "discovery.k8s.io/v1beta1")',
    );
    expect(() => parseKubeObject([])).toThrow("expected one JSON object (kubectl get ... -o json), got a list");
    expect(() => parseKubeObject({ apiVersion: "v1" })).toThrow("kind: must be one of EndpointSlice, Endpoints, Service, Pod (got nothing)");
  });
});
