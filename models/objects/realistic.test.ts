/**
 * Realistic objects against measured figures: the table of docs/sources.md §14.5 (protobuf sizes for N = 1..5000
 * and bytes per endpoint, measured with `protoc --encode`) and docs/sources.md §20 (~13.8 KB for a 100-endpoint
 * EndpointSlice, ~114 KB for a 1000-address Endpoints).
 *
 * Finding: the table's per-endpoint figures are reproduced exactly, to the byte, by a protoc-style encoding (a field
 * is written only when the text message sets it), and not by the apiserver's: its gogo marshallers also write the
 * empty always-written strings, ObjectReference's apiVersion, resourceVersion and fieldPath (6 bytes) and, in
 * Endpoints, EndpointAddress.hostname (2 bytes). So the apiserver's objects are 6 B per endpoint (EndpointSlice)
 * and 8 B per address (Endpoints) larger than the table. The table's absolute values also hold metadata and ports
 * that the table does not describe; our samples' differ by a constant per object (+41 B for Endpoints, -7 B for
 * EndpointSlice), so rows are compared through their differences, which do not depend on metadata.
 */
import { describe, expect, it } from "vitest";
import { endpointAddressEntrySize, endpointPortEntrySize, sliceEndpointEntrySize } from "./endpoint-sizes.js";
import { jsonSize, protobufSize } from "./object-size.js";
import { varintSize } from "./protobuf-size.js";
import { encodeBody } from "../../test/oracles/reference-encoders.js";
import * as sample from "./samples.js";
import type { EndpointShape } from "./samples.js";
import type { Endpoints, KubeObject } from "./types.js";

const SHAPE = sample.SCALE_MD_SHAPE;
const NO_ZONE: EndpointShape = { ...SHAPE, zone: undefined };
// the table's closed form "plus len(resourceVersion) + 2 before 1.19" and its rows fit a 9-character resourceVersion
const TARGET_REF_RESOURCE_VERSION = "482139770";

function withTargetRefResourceVersion(e: Endpoints): Endpoints {
  return {
    ...e,
    subsets: e.subsets?.map((s) => ({
      ...s,
      addresses: s.addresses?.map((a) => ({ ...a, targetRef: { ...a.targetRef, resourceVersion: TARGET_REF_RESOURCE_VERSION } })),
    })),
  };
}

/** Body bytes of an Endpoints object's single subset. */
function subsetBody(e: Endpoints): number {
  const subset = e.subsets![0];
  let n = 0;
  for (const a of subset.addresses ?? []) n += endpointAddressEntrySize(a);
  for (const p of subset.ports ?? []) n += endpointPortEntrySize(p);
  return n;
}

interface MeasuredRow {
  name: string;
  build: (n: number) => KubeObject;
  /** docs/sources.md §14.5: proto bytes at N = 1, 100, 1000, 5000, and bytes per endpoint (proto, JSON). */
  proto: Record<number, number>;
  protoPerEndpoint: number;
  jsonPerEndpoint: number;
  /** What the apiserver writes more per endpoint than protoc: the empty always-written strings. */
  gogoExtraPerEndpoint: number;
  /** Our whole-object sizes as the apiserver writes them, for our samples' metadata (regression values). */
  ours: Record<number, number>;
  /** Our protoc-style size minus the table's, the same at every N: our samples' metadata and ports differ. */
  protocOffset: number;
}

const ROWS: MeasuredRow[] = [
  {
    name: "Endpoints (current fields)",
    build: (n) => sample.endpoints(SHAPE, "checkout-api", n),
    proto: { 1: 381, 100: 16_212, 1000: 160_783, 5000: 805_463 },
    protoPerEndpoint: 161,
    jsonPerEndpoint: 226,
    gogoExtraPerEndpoint: 8,
    ours: { 1: 436, 100: 17_060, 1000: 168_830, 5000: 845_510 },
    protocOffset: 41,
  },
  {
    name: "Endpoints (pre-1.19, + targetRef.resourceVersion)",
    build: (n) => withTargetRefResourceVersion(sample.endpoints(SHAPE, "checkout-api", n)),
    proto: { 1: 392, 100: 17_313, 1000: 171_783, 5000: 860_463 },
    protoPerEndpoint: 172,
    jsonPerEndpoint: 256,
    gogoExtraPerEndpoint: 6,
    ours: { 1: 445, 100: 17_960, 1000: 177_830, 5000: 890_510 },
    protocOffset: 41,
  },
  {
    name: "EndpointSlice (with zone)",
    build: (n) => sample.endpointSlice(SHAPE, "checkout-api", n),
    proto: { 1: 609, 100: 18_717, 1000: 183_987 },
    protoPerEndpoint: 184,
    jsonPerEndpoint: 321,
    gogoExtraPerEndpoint: 6,
    ours: { 1: 610, 100: 19_312, 1000: 189_982 },
    protocOffset: -7,
  },
  {
    name: "EndpointSlice (no zone)",
    build: (n) => sample.endpointSlice(NO_ZONE, "checkout-api", n),
    proto: { 1: 594, 100: 17_217, 1000: 168_987 },
    protoPerEndpoint: 169,
    jsonPerEndpoint: 298,
    gogoExtraPerEndpoint: 6,
    ours: { 1: 595, 100: 17_812, 1000: 174_982 },
    protocOffset: -7,
  },
];

describe("docs/sources.md §14.5 table", () => {
  for (const row of ROWS) {
    const ns = Object.keys(row.proto).map(Number);
    const objects = new Map(ns.map((n) => [n, row.build(n)]));

    it(`${row.name}: a protoc-style encoding reproduces every row up to a constant (our metadata)`, () => {
      for (const n of ns) {
        expect(encodeBody(objects.get(n)!, "protoc").length - row.proto[n], `N=${n}`).toBe(row.protocOffset);
      }
    });

    it(`${row.name}: the apiserver writes ${row.gogoExtraPerEndpoint} B more per endpoint than the table`, () => {
      // the extra bytes, and in Endpoints the subset's length prefix, which grows a byte sooner with them
      const extra = (n: number): number => {
        const o = objects.get(n)!;
        const added = row.gogoExtraPerEndpoint * n;
        if (o.kind !== "Endpoints") return added;
        const body = subsetBody(o);
        return added + varintSize(body) - varintSize(body - added);
      };
      for (let i = 1; i < ns.length; i++) {
        const [a, b] = [ns[i - 1], ns[i]];
        const ours = protobufSize(objects.get(b)!) - protobufSize(objects.get(a)!);
        expect(ours - (row.proto[b] - row.proto[a]), `N=${a}→${b}`).toBe(extra(b) - extra(a));
      }
      for (const n of ns) expect(protobufSize(objects.get(n)!), `N=${n}`).toBe(row.ours[n]);
    });

    it(`${row.name}: bytes per endpoint ${row.protoPerEndpoint} (protoc) / ${row.protoPerEndpoint + row.gogoExtraPerEndpoint} (apiserver), JSON ${row.jsonPerEndpoint}`, () => {
      const last = ns[ns.length - 1];
      const prev = ns[ns.length - 2];
      const perEndpoint = (size: (o: KubeObject) => number): number => (size(objects.get(last)!) - size(objects.get(prev)!)) / (last - prev);
      expect(Math.round(perEndpoint((o) => encodeBody(o, "protoc").length))).toBe(row.protoPerEndpoint);
      expect(Math.round(perEndpoint(protobufSize))).toBe(row.protoPerEndpoint + row.gogoExtraPerEndpoint);
      expect(Math.round(perEndpoint(jsonSize))).toBe(row.jsonPerEndpoint);
    });
  }

  it("closed forms: 66 (slice) / 56 (Endpoints) + name lengths per endpoint with protoc, +6 / +8 with the apiserver", () => {
    for (let i = 0; i < 5000; i += 97) {
      const ep = sample.sliceEndpoint(SHAPE, i);
      const lengths = SHAPE.ip(i).length + 13 + 37 + 44;
      expect(sliceEndpointEntrySize(ep), `slice endpoint ${i}`).toBe(66 + lengths + 13 + 6);
      expect(endpointAddressEntrySize(sample.endpointAddress(SHAPE, i)), `address ${i}`).toBe(56 + lengths + 8);
    }
  });
});

describe("docs/sources.md §20 figures (order of magnitude; the name lengths behind them are not stated)", () => {
  // `node-00000`-style node names, uids, zone, targetRef; pod names `<deploy>-<hash>-<5>` of 25 chars
  const shape: EndpointShape = {
    namespace: "team-payments",
    podName: (i) => sample.suffixed("checkout-7d9f8b6c5d-", i, 5),
    nodeName: (i) => sample.suffixed("node-", i, 5),
    zone: "us-central1-a",
    ip: sample.ipv4,
  };

  it("a 100-endpoint EndpointSlice is ~13.8 KB protobuf", () => {
    const size = protobufSize(sample.endpointSlice(shape, "checkout", 100));
    expect(size).toBe(14_692);
    expect(size / 13_800).toBeGreaterThan(0.85);
    expect(size / 13_800).toBeLessThan(1.15);
  });

  it("a 1000-address Endpoints object is ~114 KB protobuf", () => {
    const size = protobufSize(sample.endpoints(shape, "checkout", 1000));
    expect(size).toBe(121_822);
    expect(size / 114_000).toBeGreaterThan(0.85);
    expect(size / 114_000).toBeLessThan(1.15);
  });
});
