// Endpoints controller pieces. TestTruncateEndpoints and TestSyncServiceOverCapacity: docs/sources.md §9
// case 22 and pkg/controller/endpoint/endpoints_controller_test.go (stored version 119401205). TestPackSubsets:
// pkg/api/v1/endpoints/util_test.go; the stored versions predate the portless sentinel, so the portless cases follow
// the RepackSubsets code of docs/sources.md §7.7 instead. Addresses with a targetRef UID are written "ip/uid".

import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type EndpointSubset, buildSubsets, countAddresses, repackSubsets, truncateEndpoints } from "./endpoints-repack.js";

const sub = (ports: string[], ready: string[] = [], notReady: string[] = []): EndpointSubset => ({ ports, ready, notReady });

describe("TestTruncateEndpoints", () => {
  const cases: { desc: string; ready: number[]; notReady: number[]; wantReady: number[]; wantNotReady: number[]; truncated: boolean }[] = [
    { desc: "empty", ready: [], notReady: [], wantReady: [], wantNotReady: [], truncated: false },
    {
      desc: "total endpoints < max capacity",
      ready: [50, 100, 100, 100, 100],
      notReady: [50, 100, 100, 100, 100],
      wantReady: [50, 100, 100, 100, 100],
      wantNotReady: [50, 100, 100, 100, 100],
      truncated: false,
    },
    {
      desc: "total endpoints = max capacity",
      ready: [100, 100, 100, 100, 100],
      notReady: [100, 100, 100, 100, 100],
      wantReady: [100, 100, 100, 100, 100],
      wantNotReady: [100, 100, 100, 100, 100],
      truncated: false,
    },
    {
      desc: "total ready endpoints < max capacity, but total endpoints > max capacity",
      ready: [90, 110, 50, 10, 20],
      notReady: [101, 200, 200, 201, 298],
      wantReady: [90, 110, 50, 10, 20],
      wantNotReady: [73, 144, 144, 145, 214],
      truncated: true,
    },
    {
      desc: "total ready endpoints > max capacity",
      ready: [205, 400, 402, 400, 693],
      notReady: [100, 200, 200, 200, 300],
      wantReady: [98, 191, 192, 191, 328],
      wantNotReady: [0, 0, 0, 0, 0],
      truncated: true,
    },
  ];
  for (const c of cases) {
    it(c.desc, () => {
      const subsets = c.ready.map((r, i) =>
        sub(
          [`p${i}`],
          Array.from({ length: r }, (_, k) => `r${i}-${k}`),
          Array.from({ length: c.notReady[i] }, (_, k) => `n${i}-${k}`),
        ),
      );
      const { subsets: out, truncated } = truncateEndpoints(subsets);
      expect(out.map((s) => s.ready.length)).toEqual(c.wantReady);
      expect(out.map((s) => s.notReady.length)).toEqual(c.wantNotReady);
      expect(truncated).toBe(c.truncated);
      // the first addresses are the ones kept
      out.forEach((s, i) => {
        expect(s.ready).toEqual(subsets[i].ready.slice(0, s.ready.length));
        expect(s.notReady).toEqual(subsets[i].notReady.slice(0, s.notReady.length));
      });
    });
  }

  it("keeps exactly maxCapacity addresses when over, ready first", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(400), fc.nat(400)), { maxLength: 8 }), fc.integer({ min: 1, max: 1000 }), (shape, cap) => {
        const subsets = shape.map(([r, n], i) =>
          sub(
            [`p${i}`],
            Array.from({ length: r }, (_, k) => `r${i}.${k}`),
            Array.from({ length: n }, (_, k) => `n${i}.${k}`),
          ),
        );
        const before = countAddresses(subsets);
        const { subsets: out, truncated } = truncateEndpoints(subsets, cap);
        const after = countAddresses(out);
        expect(truncated).toBe(before.ready + before.notReady > cap);
        if (!truncated) expect(after).toEqual(before);
        else {
          expect(after.ready + after.notReady).toBe(cap);
          expect(after.ready).toBe(Math.min(before.ready, cap));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe("TestSyncServiceOverCapacity (counts and annotation; one port, pods ready then not ready)", () => {
  const cases: { name: string; ready: number; notReady: number; wantReady: number; wantNotReady: number; annotation: boolean }[] = [
    { name: "empty", ready: 0, notReady: 0, wantReady: 0, wantNotReady: 0, annotation: false },
    {
      name: "annotation added past capacity, < than maxCapacity of Ready Addresses",
      ready: 997,
      notReady: 4,
      wantReady: 997,
      wantNotReady: 3,
      annotation: true,
    },
    { name: "annotation added past capacity, maxCapacity of Ready Addresses ", ready: 1000, notReady: 10, wantReady: 1000, wantNotReady: 0, annotation: true },
    { name: "annotation removed below capacity", ready: 999, notReady: 0, wantReady: 999, wantNotReady: 0, annotation: false },
    { name: "annotation removed at capacity", ready: 1000, notReady: 0, wantReady: 1000, wantNotReady: 0, annotation: false },
    { name: "annotation was set to warning previously but still over capacity", ready: 1001, notReady: 0, wantReady: 1000, wantNotReady: 0, annotation: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const addrs = [
        ...Array.from({ length: c.ready }, (_, i) => ({ address: `1.2.${i >> 8}.${i & 255}`, ready: true, ports: ["TCP:80"] })),
        ...Array.from({ length: c.notReady }, (_, i) => ({ address: `1.3.${i >> 8}.${i & 255}`, ready: false, ports: ["TCP:80"] })),
      ];
      const { subsets, truncated } = truncateEndpoints(buildSubsets(addrs));
      expect(countAddresses(subsets)).toEqual({ ready: c.wantReady, notReady: c.wantNotReady });
      expect(truncated).toBe(c.annotation);
    });
  }
});

describe("TestPackSubsets", () => {
  const cases: { name: string; given: EndpointSubset[]; expect: EndpointSubset[] }[] = [
    { name: "empty everything", given: [sub([])], expect: [] },
    { name: "empty addresses", given: [sub(["111"])], expect: [] },
    { name: "one set, one ip, one port", given: [sub(["111"], ["1.2.3.4"])], expect: [sub(["111"], ["1.2.3.4"])] },
    { name: "one set, one notReady ip, one port", given: [sub(["111"], [], ["1.2.3.4"])], expect: [sub(["111"], [], ["1.2.3.4"])] },
    { name: "one set, two ips, one port", given: [sub(["111"], ["5.6.7.8", "1.2.3.4"])], expect: [sub(["111"], ["1.2.3.4", "5.6.7.8"])] },
    { name: "one set, two mixed ips, one port", given: [sub(["111"], ["1.2.3.4"], ["5.6.7.8"])], expect: [sub(["111"], ["1.2.3.4"], ["5.6.7.8"])] },
    {
      name: "one set, two duplicate ips, one port, notReady is covered by ready",
      given: [sub(["111"], ["1.2.3.4"], ["1.2.3.4"])],
      expect: [sub(["111"], [], ["1.2.3.4"])],
    },
    { name: "one set, one ip, two ports", given: [sub(["111", "222"], ["1.2.3.4"])], expect: [sub(["111", "222"], ["1.2.3.4"])] },
    { name: "one set, dup ips, one port", given: [sub(["111"], ["1.2.3.4", "1.2.3.4"])], expect: [sub(["111"], ["1.2.3.4"])] },
    { name: "one set, one ip, dup ports", given: [sub(["111", "111"], ["1.2.3.4"])], expect: [sub(["111"], ["1.2.3.4"])] },
    { name: "two sets, dup ip, dup port", given: [sub(["111"], ["1.2.3.4"]), sub(["111"], ["1.2.3.4"])], expect: [sub(["111"], ["1.2.3.4"])] },
    { name: "two sets, dup mixed ip, dup port", given: [sub(["111"], ["1.2.3.4"]), sub(["111"], [], ["1.2.3.4"])], expect: [sub(["111"], [], ["1.2.3.4"])] },
    { name: "two sets, dup ip, two ports", given: [sub(["111"], ["1.2.3.4"]), sub(["222"], ["1.2.3.4"])], expect: [sub(["111", "222"], ["1.2.3.4"])] },
    {
      name: "two sets, dup mixed ip, dup uids, two ports",
      given: [sub(["111"], ["1.2.3.4/uid-1"]), sub(["222"], [], ["1.2.3.4/uid-1"])],
      expect: [sub(["111"], ["1.2.3.4/uid-1"]), sub(["222"], [], ["1.2.3.4/uid-1"])],
    },
    { name: "two sets, two ips, dup port", given: [sub(["111"], ["1.2.3.4"]), sub(["111"], ["5.6.7.8"])], expect: [sub(["111"], ["1.2.3.4", "5.6.7.8"])] },
    {
      name: "two set, dup ip, two uids, dup ports",
      given: [sub(["111"], ["1.2.3.4/uid-1"]), sub(["111"], ["1.2.3.4/uid-2"])],
      expect: [sub(["111"], ["1.2.3.4/uid-1", "1.2.3.4/uid-2"])],
    },
    {
      name: "two sets, two mixed ips, two dup ip with uid, dup port, wrong order, ends up with split addresses",
      given: [sub(["111"], ["5.6.7.8"]), sub(["111"], [], ["5.6.7.8/uid-1"]), sub(["111"], [], ["1.2.3.4/uid-1"]), sub(["111"], [], ["1.2.3.4"])],
      expect: [sub(["111"], ["5.6.7.8"], ["1.2.3.4", "1.2.3.4/uid-1", "5.6.7.8/uid-1"])],
    },
    {
      name: "two sets, two ips, two ports",
      given: [sub(["111"], ["1.2.3.4"]), sub(["222"], ["5.6.7.8"])],
      expect: [sub(["111"], ["1.2.3.4"]), sub(["222"], ["5.6.7.8"])],
    },
    {
      name: "four sets, three ips, three ports, jumbled",
      given: [sub(["111"], ["1.2.3.4"]), sub(["222"], ["1.2.3.5"]), sub(["111"], ["1.2.3.6"]), sub(["333"], ["1.2.3.5"])],
      expect: [sub(["111"], ["1.2.3.4", "1.2.3.6"]), sub(["222", "333"], ["1.2.3.5"])],
    },
    // portless (headless Service without ports): kept under the sentinel port (docs/sources.md §7.7)
    { name: "portless: one ip, no ports", given: [sub([], ["1.2.3.4"])], expect: [sub([], ["1.2.3.4"])] },
    { name: "portless: one notReady ip, no ports", given: [sub([], [], ["1.2.3.4"])], expect: [sub([], [], ["1.2.3.4"])] },
    {
      name: "portless: an address set identical to a ported one joins it",
      given: [sub([], ["1.2.3.4"]), sub(["111"], ["1.2.3.4"])],
      expect: [sub(["111"], ["1.2.3.4"])],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(repackSubsets(c.given)).toEqual(c.expect);
    });
  }

  it("is canonical: any split or order of the same content gives the same subsets", () => {
    fc.assert(
      fc.property(fc.array(fc.record({ addr: fc.nat(20), port: fc.nat(4), ready: fc.boolean() }), { maxLength: 60 }), fc.nat(), (entries, seed) => {
        const one = entries.map((e) => sub([`p${e.port}`], e.ready ? [`a${e.addr}`] : [], e.ready ? [] : [`a${e.addr}`]));
        const shuffled = [...one];
        let r = seed + 1;
        for (let i = shuffled.length - 1; i > 0; i--) {
          r = (Math.imul(r, 1103515245) + 12345) >>> 0;
          const j = r % (i + 1);
          [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
        }
        const a = repackSubsets(one);
        expect(repackSubsets(shuffled)).toEqual(a);
        expect(repackSubsets(a)).toEqual(a);
        // not-ready wins per (port, address); every (port, address) pair survives exactly once
        const want = new Map<string, boolean>();
        for (const e of entries) {
          const k = `p${e.port}|a${e.addr}`;
          want.set(k, (want.get(k) ?? true) && e.ready);
        }
        const got = new Map<string, boolean>();
        for (const s of a) {
          for (const p of s.ports) {
            for (const x of s.ready) got.set(`${p}|${x}`, true);
            for (const x of s.notReady) got.set(`${p}|${x}`, false);
          }
        }
        expect(got).toEqual(want);
      }),
      { numRuns: 300 },
    );
  });

  it("buildSubsets: one subset per port and address, repacked", () => {
    const subsets = buildSubsets([
      { address: "10.0.0.2", ready: true, ports: ["http", "metrics"] },
      { address: "10.0.0.1", ready: false, ports: ["http", "metrics"] },
      { address: "10.0.0.3", ready: true, ports: ["http"] },
    ]);
    expect(subsets).toEqual([sub(["http"], ["10.0.0.2", "10.0.0.3"], ["10.0.0.1"]), sub(["metrics"], ["10.0.0.2"], ["10.0.0.1"])]);
  });
});
