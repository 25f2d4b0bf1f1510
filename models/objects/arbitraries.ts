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
  ObjectMeta,
  ObjectReference,
} from "./types.js";

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
    conditions: fc.record(
      { ready: fc.boolean(), serving: fc.boolean(), terminating: fc.boolean() },
      { requiredKeys: [] },
    ),
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
    creationTimestamp: fc
      .integer({ min: 0, max: 4_000_000_000 })
      .map((s) => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")),
    labels: fc.dictionary(text, text, { maxKeys: 4 }),
    annotations: fc.dictionary(text, text, { maxKeys: 2 }),
    ownerReferences: fc.array(
      fc.record(
        { apiVersion: text, kind: text, name: text, uid: fc.uuid(), controller: fc.boolean(), blockOwnerDeletion: fc.boolean() },
        { requiredKeys: [] },
      ),
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
