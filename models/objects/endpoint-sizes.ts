/**
 * Per-entry sizes for the simulator's hot path: what one endpoint adds to an EndpointSlice, one address to an
 * Endpoints subset, and the rest of the object, such that the sums equal the whole-object sizes of
 * object-size.ts exactly (tested). Hand-written for the messages that repeat (Endpoint, EndpointAddress,
 * ObjectReference); bench/perf/object-size.ts measures what that buys over the schema-driven sizer.
 *
 * Protobuf: an entry is its field's tag, the varint of its body length and the body. A length prefix depends on
 * the total it prefixes, so the helpers for enclosing messages take the summed entry bytes.
 * JSON: an entry is its object's text; the enclosing helpers add brackets and the commas between entries.
 */
import { jsonIntegerSize, jsonStringSize } from "./json-size.js";
import { fieldJsonSize, messageBodySize, messageJsonSize } from "./object-size.js";
import { utf8Length, varintSize } from "./protobuf-size.js";
import { EndpointSchema, EndpointSlicePortSchema, EndpointSliceSchema, EndpointsSchema, ObjectMetaSchema } from "./schema.js";
import type { Endpoint, EndpointAddress, EndpointPort, EndpointSlice, EndpointSlicePort, Endpoints, ObjectMeta, ObjectReference } from "./types.js";

type Json = Record<string, unknown>;

/** Bytes of a length-delimited field with a one-byte tag (field numbers 1..15) and `len` bytes of payload. */
function field(len: number): number {
  return 1 + varintSize(len) + len;
}

function stringField(s: string | undefined): number {
  return s === undefined ? 2 : field(utf8Length(s));
}

// ---- protobuf: shared ----

/** Body bytes of a core/v1 ObjectReference: generated.pb.go writes all seven strings always. */
export function objectReferenceBodySize(ref: ObjectReference): number {
  return (
    stringField(ref.kind) +
    stringField(ref.namespace) +
    stringField(ref.name) +
    stringField(ref.uid) +
    stringField(ref.apiVersion) +
    stringField(ref.resourceVersion) +
    stringField(ref.fieldPath)
  );
}

/** Bytes of the metadata field (field 1 of every object): tag, length, ObjectMeta body. */
export function metadataFieldSize(meta: ObjectMeta | undefined): number {
  return field(messageBodySize(ObjectMetaSchema, meta as Json | undefined));
}

// ---- protobuf: EndpointSlice ----

/** Body bytes of a discovery/v1 Endpoint (generated.pb.go Endpoint.MarshalToSizedBuffer). */
export function sliceEndpointBodySize(ep: Endpoint): number {
  let n = 0;
  const addresses = ep.addresses;
  if (addresses !== undefined) for (let i = 0; i < addresses.length; i++) n += field(utf8Length(addresses[i]));
  // conditions: always written; ready, serving, terminating each 2 bytes when set
  const c = ep.conditions;
  let conditions = 0;
  if (c !== undefined) {
    if (c.ready !== undefined) conditions += 2;
    if (c.serving !== undefined) conditions += 2;
    if (c.terminating !== undefined) conditions += 2;
  }
  n += 2 + conditions;
  if (ep.hostname !== undefined) n += field(utf8Length(ep.hostname));
  if (ep.targetRef !== undefined) n += field(objectReferenceBodySize(ep.targetRef));
  const topology = ep.deprecatedTopology;
  if (topology !== undefined) {
    for (const k in topology) n += field(field(utf8Length(k)) + field(utf8Length(topology[k])));
  }
  if (ep.nodeName !== undefined) n += field(utf8Length(ep.nodeName));
  if (ep.zone !== undefined) n += field(utf8Length(ep.zone));
  const hints = ep.hints;
  if (hints !== undefined) {
    let h = 0;
    if (hints.forZones !== undefined) for (const z of hints.forZones) h += field(stringField(z.name));
    if (hints.forNodes !== undefined) for (const z of hints.forNodes) h += field(stringField(z.name));
    n += field(h);
  }
  return n;
}

/** Bytes one endpoint adds to EndpointSlice.endpoints (field 2): tag, length, body. */
export function sliceEndpointEntrySize(ep: Endpoint): number {
  return field(sliceEndpointBodySize(ep));
}

/**
 * Bytes of an EndpointSlice other than its endpoints (whose `endpoints` is ignored): metadata, addressType, ports.
 * protobufSize(slice) = sliceOverheadSize(slice) + Σ sliceEndpointEntrySize(endpoint).
 */
export function sliceOverheadSize(slice: Omit<EndpointSlice, "endpoints">): number {
  let n = metadataFieldSize(slice.metadata) + stringField(slice.addressType);
  const ports = slice.ports;
  if (ports !== undefined) for (let i = 0; i < ports.length; i++) n += slicePortEntrySize(ports[i]);
  return n;
}

/** Bytes one port adds to EndpointSlice.ports (field 3); discovery/v1 EndpointPort fields are all pointers. */
export function slicePortEntrySize(port: EndpointSlicePort): number {
  return field(messageBodySize(EndpointSlicePortSchema, port as Json));
}

// ---- protobuf: Endpoints ----

/** Body bytes of a core/v1 EndpointAddress: ip and hostname always, nodeName and targetRef when set. */
export function endpointAddressBodySize(addr: EndpointAddress): number {
  let n = stringField(addr.ip) + stringField(addr.hostname);
  if (addr.nodeName !== undefined) n += field(utf8Length(addr.nodeName));
  if (addr.targetRef !== undefined) n += field(objectReferenceBodySize(addr.targetRef));
  return n;
}

/**
 * Bytes one address adds to its subset's body, in `addresses` (field 1) or `notReadyAddresses` (field 2) alike.
 */
export function endpointAddressEntrySize(addr: EndpointAddress): number {
  return field(endpointAddressBodySize(addr));
}

/** Bytes one port adds to a subset's body (field 3): name, port, protocol always, appProtocol when set. */
export function endpointPortEntrySize(port: EndpointPort): number {
  let n = stringField(port.name) + 1 + varintSize(port.port ?? 0) + stringField(port.protocol);
  if (port.appProtocol !== undefined) n += field(utf8Length(port.appProtocol));
  return field(n);
}

/**
 * Bytes one subset adds to Endpoints.subsets (field 2), given the summed entry sizes of its addresses and
 * not-ready addresses and its ports.
 */
export function endpointSubsetEntrySize(addressEntriesBytes: number, ports: readonly EndpointPort[] | undefined): number {
  let body = addressEntriesBytes;
  if (ports !== undefined) for (let i = 0; i < ports.length; i++) body += endpointPortEntrySize(ports[i]);
  return field(body);
}

/**
 * Bytes of an Endpoints object other than its subsets (whose `subsets` is ignored): the metadata field.
 * protobufSize(e) = endpointsOverheadSize(e) + Σ_subsets endpointSubsetEntrySize(Σ endpointAddressEntrySize, ports).
 */
export function endpointsOverheadSize(endpoints: Omit<Endpoints, "subsets">): number {
  return metadataFieldSize(endpoints.metadata);
}

// ---- JSON: shared ----

/** Bytes of an ObjectReference's JSON: every field is omitempty. */
export function objectReferenceJsonSize(ref: ObjectReference): number {
  let n = 2;
  let count = 0;
  if (ref.kind) {
    n += '"kind":'.length + jsonStringSize(ref.kind);
    count++;
  }
  if (ref.namespace) {
    n += '"namespace":'.length + jsonStringSize(ref.namespace);
    count++;
  }
  if (ref.name) {
    n += '"name":'.length + jsonStringSize(ref.name);
    count++;
  }
  if (ref.uid) {
    n += '"uid":'.length + jsonStringSize(ref.uid);
    count++;
  }
  if (ref.apiVersion) {
    n += '"apiVersion":'.length + jsonStringSize(ref.apiVersion);
    count++;
  }
  if (ref.resourceVersion) {
    n += '"resourceVersion":'.length + jsonStringSize(ref.resourceVersion);
    count++;
  }
  if (ref.fieldPath) {
    n += '"fieldPath":'.length + jsonStringSize(ref.fieldPath);
    count++;
  }
  return count > 1 ? n + count - 1 : n;
}

// ---- JSON: EndpointSlice ----

/** Bytes of one endpoint's JSON object in EndpointSlice.endpoints (no separating comma). */
export function sliceEndpointJsonSize(ep: Endpoint): number {
  // Go field order: addresses (no omitempty: null when empty), conditions (a struct: always), then omitempty
  // pointers hostname, targetRef, deprecatedTopology (map), nodeName, zone, hints
  let n = 1 + '"addresses":'.length;
  const addresses = ep.addresses;
  if (addresses === undefined || addresses.length === 0) {
    n += 4;
  } else {
    n += 1 + addresses.length;
    for (let i = 0; i < addresses.length; i++) n += jsonStringSize(addresses[i]);
  }
  n += 1 + '"conditions":'.length + 2;
  const c = ep.conditions;
  if (c !== undefined) {
    let count = 0;
    if (c.ready !== undefined) {
      n += '"ready":'.length + (c.ready ? 4 : 5);
      count++;
    }
    if (c.serving !== undefined) {
      n += '"serving":'.length + (c.serving ? 4 : 5);
      count++;
    }
    if (c.terminating !== undefined) {
      n += '"terminating":'.length + (c.terminating ? 4 : 5);
      count++;
    }
    if (count > 1) n += count - 1;
  }
  if (ep.hostname !== undefined) n += 1 + '"hostname":'.length + jsonStringSize(ep.hostname);
  if (ep.targetRef !== undefined) n += 1 + '"targetRef":'.length + objectReferenceJsonSize(ep.targetRef);
  if (ep.deprecatedTopology !== undefined) {
    const size = fieldJsonSize(DEPRECATED_TOPOLOGY, ep.deprecatedTopology);
    if (size >= 0) n += 1 + DEPRECATED_TOPOLOGY.keyBytes + size;
  }
  if (ep.nodeName !== undefined) n += 1 + '"nodeName":'.length + jsonStringSize(ep.nodeName);
  if (ep.zone !== undefined) n += 1 + '"zone":'.length + jsonStringSize(ep.zone);
  if (ep.hints !== undefined) {
    const size = fieldJsonSize(HINTS, ep.hints);
    n += 1 + HINTS.keyBytes + size;
  }
  return n + 1;
}

const DEPRECATED_TOPOLOGY = EndpointSchema.fields.find((f) => f.json === "deprecatedTopology")!;
const HINTS = EndpointSchema.fields.find((f) => f.json === "hints")!;

/**
 * Bytes of an EndpointSlice's JSON other than its endpoints' objects, for `endpointCount` endpoints: everything
 * else, the brackets and the commas between endpoints (or `null` when there are none).
 * jsonSize(slice) = sliceJsonOverheadSize(slice, n) + Σ sliceEndpointJsonSize(endpoint).
 */
export function sliceJsonOverheadSize(slice: Omit<EndpointSlice, "endpoints">, endpointCount: number): number {
  const withNull = messageJsonSize(EndpointSliceSchema, { ...slice, endpoints: undefined });
  return endpointCount === 0 ? withNull : withNull - 4 + 2 + endpointCount - 1;
}

// ---- JSON: Endpoints ----

/** Bytes of one address's JSON object in a subset's addresses or notReadyAddresses (no separating comma). */
export function endpointAddressJsonSize(addr: EndpointAddress): number {
  // Go field order: ip (always), hostname (omitempty), nodeName, targetRef (omitempty pointers)
  let n = 2 + '"ip":'.length + jsonStringSize(addr.ip ?? "");
  if (addr.hostname) n += 1 + '"hostname":'.length + jsonStringSize(addr.hostname);
  if (addr.nodeName !== undefined) n += 1 + '"nodeName":'.length + jsonStringSize(addr.nodeName);
  if (addr.targetRef !== undefined) n += 1 + '"targetRef":'.length + objectReferenceJsonSize(addr.targetRef);
  return n;
}

/** Bytes of one port's JSON object in a subset's ports. */
export function endpointPortJsonSize(port: EndpointPort): number {
  // Go field order: name (omitempty), port (always), protocol (omitempty), appProtocol (omitempty pointer)
  let n = 2 + '"port":'.length + jsonIntegerSize(port.port ?? 0);
  if (port.name) n += 1 + '"name":'.length + jsonStringSize(port.name);
  if (port.protocol) n += 1 + '"protocol":'.length + jsonStringSize(port.protocol);
  if (port.appProtocol !== undefined) n += 1 + '"appProtocol":'.length + jsonStringSize(port.appProtocol);
  return n;
}

/**
 * Bytes of one subset's JSON other than its address objects: braces, the addresses and notReadyAddresses arrays'
 * keys, brackets and commas (each omitted when empty), and the ports.
 */
export function endpointSubsetJsonOverheadSize(readyCount: number, notReadyCount: number, ports: readonly EndpointPort[] | undefined): number {
  let n = 2;
  let fields = 0;
  if (readyCount > 0) {
    n += '"addresses":'.length + 2 + readyCount - 1;
    fields++;
  }
  if (notReadyCount > 0) {
    n += '"notReadyAddresses":'.length + 2 + notReadyCount - 1;
    fields++;
  }
  if (ports !== undefined && ports.length > 0) {
    n += '"ports":'.length + 2 + ports.length - 1;
    for (let i = 0; i < ports.length; i++) n += endpointPortJsonSize(ports[i]);
    fields++;
  }
  return fields > 1 ? n + fields - 1 : n;
}

/**
 * Bytes of an Endpoints object's JSON other than its subsets, for `subsetCount` subsets (subsets is omitempty).
 * jsonSize(e) = endpointsJsonOverheadSize(e, k) + Σ_subsets (endpointSubsetJsonOverheadSize(...) + Σ
 * endpointAddressJsonSize(address)).
 */
export function endpointsJsonOverheadSize(endpoints: Omit<Endpoints, "subsets">, subsetCount: number): number {
  const without = messageJsonSize(EndpointsSchema, { ...endpoints, subsets: undefined });
  return subsetCount === 0 ? without : without + 1 + '"subsets":'.length + 2 + subsetCount - 1;
}
