/**
 * Arithmetic sizing versus real encoding, for a 100-endpoint EndpointSlice (the name lengths of docs/sources.md §14.5).
 * The project's rule: hand-write the hot path only where measurement shows it pays. Run: npx tsx
 * bench/perf/object-size.ts
 */
import { sliceEndpointEntrySize, sliceEndpointJsonSize, sliceJsonOverheadSize, sliceOverheadSize } from "../../models/objects/endpoint-sizes.js";
import { jsonSize, messageBodySize, messageJsonSize, protobufSize } from "../../models/objects/object-size.js";
import { encodeBody, goShaped, goJsonText, protoRoot, toProtoObject } from "../../test/oracles/reference-encoders.js";
import { endpointSlice, SCALE_MD_SHAPE } from "../../models/objects/samples.js";
import { varintSize } from "../../models/objects/protobuf-size.js";
import { EndpointSchema } from "../../models/objects/schema.js";
import type { EndpointSlice } from "../../models/objects/types.js";

const slice = endpointSlice(SCALE_MD_SHAPE, "checkout-api", 100);
const endpoints = slice.endpoints!;
const SliceType = protoRoot.lookupType("k8s.io.api.discovery.v1.EndpointSlice");
const message = SliceType.fromObject(toProtoObject(SliceType, slice as unknown as Record<string, unknown>));

function handWrittenProtobuf(s: EndpointSlice): number {
  let n = sliceOverheadSize(s);
  for (const ep of s.endpoints!) n += sliceEndpointEntrySize(ep);
  return n;
}

function handWrittenJson(s: EndpointSlice): number {
  let n = sliceJsonOverheadSize(s, s.endpoints!.length);
  for (const ep of s.endpoints!) n += sliceEndpointJsonSize(ep);
  return n;
}

interface Case {
  name: string;
  run: () => number;
}

const cases: Case[] = [
  { name: "protobuf: hand-written (overhead + Σ entries)", run: () => handWrittenProtobuf(slice) },
  { name: "protobuf: schema-driven protobufSize", run: () => protobufSize(slice) },
  { name: "protobuf: protobufjs encode (message prebuilt)", run: () => SliceType.encode(message).finish().length },
  { name: "protobuf: protobufjs from JSON shape + encode", run: () => encodeBody(slice).length },
  {
    name: "protobuf, endpoints only: hand-written entries",
    run: () => {
      let n = 0;
      for (const ep of endpoints) n += sliceEndpointEntrySize(ep);
      return n;
    },
  },
  {
    name: "protobuf, endpoints only: schema-driven entries",
    run: () => {
      let n = 0;
      for (const ep of endpoints) {
        const body = messageBodySize(EndpointSchema, ep as Record<string, unknown>);
        n += 1 + varintSize(body) + body;
      }
      return n;
    },
  },
  { name: "json: hand-written (overhead + Σ entries)", run: () => handWrittenJson(slice) },
  { name: "json: schema-driven jsonSize", run: () => jsonSize(slice) },
  {
    name: "json, endpoints only: hand-written entries",
    run: () => {
      let n = 0;
      for (const ep of endpoints) n += sliceEndpointJsonSize(ep);
      return n + endpoints.length + 1;
    },
  },
  {
    name: "json, endpoints only: schema-driven entries",
    run: () => {
      let n = 0;
      for (const ep of endpoints) n += messageJsonSize(EndpointSchema, ep as Record<string, unknown>);
      return n + endpoints.length + 1;
    },
  },
  { name: "json: JSON.stringify of the Go-shaped object", run: () => goJsonText(goShaped(slice)).length },
];

/** Median µs per call over `rounds` rounds of `iterations` calls, after a warm-up. */
function measure(run: () => number, iterations: number, rounds = 7): { micros: number; sink: number } {
  let sink = 0;
  for (let i = 0; i < iterations; i++) sink += run();
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) sink += run();
    samples.push(Number(process.hrtime.bigint() - t0) / 1000 / iterations);
  }
  samples.sort((a, b) => a - b);
  return { micros: samples[Math.floor(rounds / 2)], sink };
}

const rows: string[] = [];
let reference = 0;
for (const c of cases) {
  const size = c.run();
  // aim at ~200 ms per round
  const once = measure(c.run, 50, 1).micros;
  const iterations = Math.max(50, Math.round(200_000 / Math.max(once, 0.01)));
  const { micros, sink } = measure(c.run, iterations);
  if (sink === 0) throw new Error("unreachable");
  if (c.name.startsWith("protobuf: hand")) reference = micros;
  rows.push(`${c.name.padEnd(52)} ${micros.toFixed(2).padStart(9)} µs  ${size.toString().padStart(7)} B`);
}
process.stdout.write(`100-endpoint EndpointSlice, median of 7 rounds (node ${process.version})\n`);
process.stdout.write(`${"case".padEnd(52)} ${"per call".padStart(12)}  ${"size".padStart(9)}\n`);
for (const r of rows) process.stdout.write(`${r}\n`);
process.stdout.write(`(hand-written protobuf: ${reference.toFixed(2)} µs)\n`);
