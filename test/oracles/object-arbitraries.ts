/** fast-check generators of modelled objects, for the property tests. */
import fc from "fast-check";
import type {
  Endpoint,
  EndpointAddress,
  EndpointPort,
  EndpointSlice,
  EndpointSlicePort,
  EndpointSubset,
  Endpoints,
  Event,
  Lease,
  Node,
  ObjectMeta,
  ObjectReference,
} from "../../models/objects/types.js";

/** Short ASCII strings mostly; sometimes long or non-ASCII ones, to cross one- and two-byte length prefixes. */
export const text: fc.Arbitrary<string> = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ minLength: 100, maxLength: 300 }) },
);

const ip = fc.oneof(fc.ipV4(), fc.ipV6());

export const objectReference: fc.Arbitrary<ObjectReference> = fc.record(
  {
    kind: fc.constant("Pod"),
    namespace: text,
    name: text,
    uid: fc.uuid(),
    apiVersion: fc.constantFrom("v1", ""),
    resourceVersion: fc.stringMatching(/^[0-9]{1,9}$/),
    fieldPath: text,
  },
  { requiredKeys: [] },
);

export const sliceEndpoint: fc.Arbitrary<Endpoint> = fc.record(
  {
    addresses: fc.array(ip, { maxLength: 3 }),
    conditions: fc.record({ ready: fc.boolean(), serving: fc.boolean(), terminating: fc.boolean() }, { requiredKeys: [] }),
    hostname: text,
    targetRef: objectReference,
    deprecatedTopology: fc.dictionary(text, text, { maxKeys: 3 }),
    nodeName: text,
    zone: text,
    hints: fc.record(
      {
        forZones: fc.array(fc.record({ name: text }, { requiredKeys: [] }), { maxLength: 3 }),
        forNodes: fc.array(fc.record({ name: text }, { requiredKeys: [] }), { maxLength: 3 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: [] },
);

export const objectMeta: fc.Arbitrary<ObjectMeta> = fc.record(
  {
    name: text,
    generateName: text,
    namespace: text,
    uid: fc.uuid(),
    resourceVersion: fc.stringMatching(/^[0-9]{1,9}$/),
    generation: fc.integer({ min: 0, max: 2 ** 40 }),
    creationTimestamp: fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")),
    labels: fc.dictionary(text, text, { maxKeys: 4 }),
    annotations: fc.dictionary(text, text, { maxKeys: 2 }),
    ownerReferences: fc.array(
      fc.record({ apiVersion: text, kind: text, name: text, uid: fc.uuid(), controller: fc.boolean(), blockOwnerDeletion: fc.boolean() }, { requiredKeys: [] }),
      { maxLength: 2 },
    ),
    finalizers: fc.array(text, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);

const slicePort: fc.Arbitrary<EndpointSlicePort> = fc.record(
  {
    name: text,
    protocol: fc.constantFrom("TCP", "UDP", "SCTP"),
    port: fc.integer({ min: -5, max: 65535 }),
    appProtocol: text,
  },
  { requiredKeys: [] },
);

export const endpointSlice: fc.Arbitrary<EndpointSlice> = fc.record({
  kind: fc.constant("EndpointSlice" as const),
  apiVersion: fc.constant("discovery.k8s.io/v1" as const),
  metadata: objectMeta,
  addressType: fc.constantFrom("IPv4", "IPv6", "FQDN"),
  endpoints: fc.array(sliceEndpoint, { maxLength: 40 }),
  ports: fc.array(slicePort, { maxLength: 3 }),
});

export const endpointAddress: fc.Arbitrary<EndpointAddress> = fc.record(
  { ip, hostname: text, nodeName: text, targetRef: objectReference },
  { requiredKeys: [] },
);

const endpointPort: fc.Arbitrary<EndpointPort> = fc.record(
  {
    name: text,
    port: fc.integer({ min: 0, max: 65535 }),
    protocol: fc.constantFrom("TCP", "UDP", ""),
    appProtocol: text,
  },
  { requiredKeys: [] },
);

const subset: fc.Arbitrary<EndpointSubset> = fc.record(
  {
    addresses: fc.array(endpointAddress, { maxLength: 30 }),
    notReadyAddresses: fc.array(endpointAddress, { maxLength: 10 }),
    ports: fc.array(endpointPort, { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

export const endpoints: fc.Arbitrary<Endpoints> = fc.record({
  kind: fc.constant("Endpoints" as const),
  apiVersion: fc.constant("v1" as const),
  metadata: objectMeta,
  subsets: fc.array(subset, { maxLength: 3 }),
});

/** A metav1.Time: whole seconds, 1970..2096. */
const time: fc.Arbitrary<string> = fc.integer({ min: 0, max: 4_000_000_000 }).map((s) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z"));

/** A metav1.MicroTime as the apiserver prints it: years 0001..9999 (zero time included), six fraction digits. */
export const microTime: fc.Arbitrary<string> = fc.oneof(
  { weight: 1, arbitrary: fc.constant("0001-01-01T00:00:00.000000Z") },
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.integer({ min: -62_135_596_800, max: 253_402_300_799 }), fc.integer({ min: 0, max: 999_999 }))
      .map(([s, us]) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, `.${String(us).padStart(6, "0")}Z`)),
  },
);

const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

export const lease: fc.Arbitrary<Lease> = fc.record(
  {
    kind: fc.constant("Lease" as const),
    apiVersion: fc.constant("coordination.k8s.io/v1" as const),
    metadata: objectMeta,
    spec: fc.record(
      {
        holderIdentity: text,
        leaseDurationSeconds: int32,
        acquireTime: microTime,
        renewTime: microTime,
        leaseTransitions: int32,
        strategy: text,
        preferredHolder: text,
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ["kind", "apiVersion"] },
);

export const event: fc.Arbitrary<Event> = fc.record(
  {
    kind: fc.constant("Event" as const),
    apiVersion: fc.constant("v1" as const),
    metadata: objectMeta,
    involvedObject: objectReference,
    reason: text,
    message: text,
    source: fc.record({ component: text, host: text }, { requiredKeys: [] }),
    firstTimestamp: time,
    lastTimestamp: time,
    count: int32,
    type: fc.constantFrom("Normal", "Warning", ""),
    eventTime: microTime,
    series: fc.record({ count: int32, lastObservedTime: microTime }, { requiredKeys: [] }),
    action: text,
    related: objectReference,
    reportingComponent: text,
    reportingInstance: text,
  },
  { requiredKeys: ["kind", "apiVersion"] },
);

const quantities = fc.dictionary(text, fc.constantFrom("0", "8", "7910m", "32866876Ki", "47060071478", "110"), { maxKeys: 6 });

export const node: fc.Arbitrary<Node> = fc.record(
  {
    kind: fc.constant("Node" as const),
    apiVersion: fc.constant("v1" as const),
    metadata: objectMeta,
    spec: fc.record(
      {
        podCIDR: text,
        podCIDRs: fc.array(text, { maxLength: 2 }),
        providerID: text,
        unschedulable: fc.boolean(),
        taints: fc.array(fc.record({ key: text, value: text, effect: text, timeAdded: time }, { requiredKeys: [] }), { maxLength: 3 }),
        externalID: text,
      },
      { requiredKeys: [] },
    ),
    status: fc.record(
      {
        capacity: quantities,
        allocatable: quantities,
        phase: text,
        conditions: fc.array(
          fc.record({ type: text, status: text, lastHeartbeatTime: time, lastTransitionTime: time, reason: text, message: text }, { requiredKeys: [] }),
          { maxLength: 6 },
        ),
        addresses: fc.array(fc.record({ type: text, address: text }, { requiredKeys: [] }), { maxLength: 3 }),
        daemonEndpoints: fc.record({ kubeletEndpoint: fc.record({ Port: int32 }, { requiredKeys: [] }) }, { requiredKeys: [] }),
        nodeInfo: fc.record(
          {
            machineID: text,
            systemUUID: text,
            bootID: text,
            kernelVersion: text,
            osImage: text,
            containerRuntimeVersion: text,
            kubeletVersion: text,
            kubeProxyVersion: text,
            operatingSystem: text,
            architecture: text,
            swap: fc.record({ capacity: fc.integer({ min: 0, max: 2 ** 40 }) }, { requiredKeys: [] }),
          },
          { requiredKeys: [] },
        ),
        images: fc.array(fc.record({ names: fc.array(text, { maxLength: 3 }), sizeBytes: fc.integer({ min: 0, max: 2 ** 40 }) }, { requiredKeys: [] }), {
          maxLength: 12,
        }),
        volumesInUse: fc.array(text, { maxLength: 2 }),
        volumesAttached: fc.array(fc.record({ name: text, devicePath: text }, { requiredKeys: [] }), { maxLength: 2 }),
        runtimeHandlers: fc.array(
          fc.record(
            {
              name: text,
              features: fc.record({ recursiveReadOnlyMounts: fc.boolean(), userNamespaces: fc.boolean() }, { requiredKeys: [] }),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 2 },
        ),
        features: fc.record({ supplementalGroupsPolicy: fc.boolean() }, { requiredKeys: [] }),
        declaredFeatures: fc.array(text, { maxLength: 2 }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ["kind", "apiVersion"] },
);
