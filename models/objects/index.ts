/**
 * Serialized sizes of Kubernetes API objects (EndpointSlice, Endpoints, Service, Pod, Node, Lease, Event) by
 * arithmetic.
 */
export type * from "./types.js";
export {
  protobufSize,
  protobufEnvelopeSize,
  storedSize,
  forStorage,
  jsonSize,
  watchEventSize,
  envelopeSizeFromBody,
  protobufWatchEventSizeFromEnvelope,
  jsonWatchEventSizeFromObject,
} from "./object-size.js";
export {
  sliceEndpointEntrySize,
  sliceOverheadSize,
  slicePortEntrySize,
  sliceEndpointJsonSize,
  sliceJsonOverheadSize,
  endpointAddressEntrySize,
  endpointPortEntrySize,
  endpointSubsetEntrySize,
  endpointsOverheadSize,
  endpointAddressJsonSize,
  endpointPortJsonSize,
  endpointSubsetJsonOverheadSize,
  endpointsJsonOverheadSize,
  metadataFieldSize,
} from "./endpoint-sizes.js";
export { parseKubeObject } from "./kubectl.js";
export type { ParsedObject } from "./kubectl.js";
