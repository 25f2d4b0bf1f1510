import fc from "fast-check";
import { describe, expect, it } from "vitest";
import * as arb from "../../test/oracles/object-arbitraries.js";
import {
  endpointAddressEntrySize,
  endpointAddressJsonSize,
  endpointSubsetEntrySize,
  endpointSubsetJsonOverheadSize,
  endpointsJsonOverheadSize,
  endpointsOverheadSize,
  sliceEndpointEntrySize,
  sliceEndpointJsonSize,
  sliceJsonOverheadSize,
  sliceOverheadSize,
} from "./endpoint-sizes.js";
import {
  envelopeSizeFromBody,
  forStorage,
  jsonSize,
  jsonWatchEventSizeFromObject,
  messageBodySize,
  messageJsonSize,
  protobufSize,
  protobufWatchEventSizeFromEnvelope,
  storedSize,
  watchEventSize,
} from "./object-size.js";
import { EndpointAddressSchema, EndpointSchema } from "./schema.js";
import { varintSize } from "./protobuf-size.js";
import type { EndpointSlice, Endpoints } from "./types.js";

function slicePieces(slice: EndpointSlice): { protobuf: number; json: number } {
  const eps = slice.endpoints ?? [];
  let protobuf = sliceOverheadSize(slice);
  let json = sliceJsonOverheadSize(slice, eps.length);
  for (const ep of eps) {
    protobuf += sliceEndpointEntrySize(ep);
    json += sliceEndpointJsonSize(ep);
  }
  return { protobuf, json };
}

function endpointsPieces(e: Endpoints): { protobuf: number; json: number } {
  const subsets = e.subsets ?? [];
  let protobuf = endpointsOverheadSize(e);
  let json = endpointsJsonOverheadSize(e, subsets.length);
  for (const s of subsets) {
    const addresses = [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])];
    let entries = 0;
    for (const a of addresses) {
      entries += endpointAddressEntrySize(a);
      json += endpointAddressJsonSize(a);
    }
    protobuf += endpointSubsetEntrySize(entries, s.ports);
    json += endpointSubsetJsonOverheadSize(s.addresses?.length ?? 0, s.notReadyAddresses?.length ?? 0, s.ports);
  }
  return { protobuf, json };
}

describe("EndpointSlice granular helpers", () => {
  it("sum to the whole-object protobuf and JSON sizes (property)", () => {
    fc.assert(
      fc.property(arb.endpointSlice, (slice) => {
        const pieces = slicePieces(slice);
        expect(pieces.protobuf).toBe(protobufSize(slice));
        expect(pieces.json).toBe(jsonSize(slice));
      }),
      { numRuns: 500 },
    );
  });

  it("hand-written entry sizes equal the schema-driven ones (property)", () => {
    fc.assert(
      fc.property(arb.sliceEndpoint, (ep) => {
        const body = messageBodySize(EndpointSchema, ep as Record<string, unknown>);
        expect(sliceEndpointEntrySize(ep)).toBe(1 + varintSize(body) + body);
        expect(sliceEndpointJsonSize(ep)).toBe(messageJsonSize(EndpointSchema, ep as Record<string, unknown>));
      }),
      { numRuns: 2000 },
    );
  });

  it("give the etcd value and watch events from the summed body", () => {
    fc.assert(
      fc.property(arb.endpointSlice, (slice) => {
        const stored = forStorage(slice);
        const storedBody = slicePieces(stored).protobuf;
        expect(envelopeSizeFromBody("EndpointSlice", storedBody)).toBe(storedSize(slice));
        const envelope = envelopeSizeFromBody("EndpointSlice", slicePieces(slice).protobuf);
        expect(protobufWatchEventSizeFromEnvelope(envelope, "MODIFIED")).toBe(watchEventSize(slice, "protobuf", "MODIFIED"));
        expect(jsonWatchEventSizeFromObject(slicePieces(slice).json, "ADDED")).toBe(watchEventSize(slice, "json", "ADDED"));
      }),
      { numRuns: 100 },
    );
  });
});

describe("Endpoints granular helpers", () => {
  it("sum to the whole-object protobuf and JSON sizes (property)", () => {
    fc.assert(
      fc.property(arb.endpoints, (e) => {
        const pieces = endpointsPieces(e);
        expect(pieces.protobuf).toBe(protobufSize(e));
        expect(pieces.json).toBe(jsonSize(e));
      }),
      { numRuns: 500 },
    );
  });

  it("hand-written address sizes equal the schema-driven ones (property)", () => {
    fc.assert(
      fc.property(arb.endpointAddress, (a) => {
        const body = messageBodySize(EndpointAddressSchema, a as Record<string, unknown>);
        expect(endpointAddressEntrySize(a)).toBe(1 + varintSize(body) + body);
        expect(endpointAddressJsonSize(a)).toBe(messageJsonSize(EndpointAddressSchema, a as Record<string, unknown>));
      }),
      { numRuns: 2000 },
    );
  });

  it("stay exact across the subset's length-prefix boundaries (127/128, 16383/16384 bytes)", () => {
    // one address entry of b bytes; find counts whose subset body straddles each varint boundary
    const address = { ip: "10.0.0.1", nodeName: "n" };
    const entry = endpointAddressEntrySize(address);
    for (const boundary of [128, 16384, 2097152]) {
      for (const count of [Math.floor(boundary / entry) - 1, Math.floor(boundary / entry), Math.ceil(boundary / entry)]) {
        const e: Endpoints = {
          kind: "Endpoints",
          apiVersion: "v1",
          metadata: { name: "x" },
          subsets: [{ addresses: Array.from({ length: count }, () => address) }],
        };
        expect(endpointsPieces(e).protobuf, `${count} addresses`).toBe(protobufSize(e));
      }
    }
  });
});
