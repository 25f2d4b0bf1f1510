import protobuf from "protobufjs";
import { describe, expect, it } from "vitest";
import { ETCD_DEFAULTS, Etcd, etcdRequestSize, NumberedKeys, pageBytes, versionBytes } from "./etcd.js";

// The subset of etcd's api/etcdserverpb/{rpc,raft_internal}.proto that an apiserver write uses (field numbers from
// the etcd-io/etcd snapshot read for this model).
const ETCD_PROTO = `
syntax = "proto3";
message RequestHeader { uint64 ID = 1; string username = 2; uint64 auth_revision = 3; }
message Compare {
  enum CompareResult { EQUAL = 0; GREATER = 1; LESS = 2; NOT_EQUAL = 3; }
  enum CompareTarget { VERSION = 0; CREATE = 1; MOD = 2; VALUE = 3; LEASE = 4; }
  CompareResult result = 1; CompareTarget target = 2; bytes key = 3;
  oneof target_union { int64 version = 4; int64 create_revision = 5; int64 mod_revision = 6; bytes value = 7; int64 lease = 8; }
  bytes range_end = 64;
}
message RangeRequest { bytes key = 1; bytes range_end = 2; int64 limit = 3; int64 revision = 4; }
message PutRequest { bytes key = 1; bytes value = 2; int64 lease = 3; bool prev_kv = 4; }
message DeleteRangeRequest { bytes key = 1; bytes range_end = 2; }
message RequestOp { oneof request { RangeRequest request_range = 1; PutRequest request_put = 2; DeleteRangeRequest request_delete_range = 3; } }
message TxnRequest { repeated Compare compare = 1; repeated RequestOp success = 2; repeated RequestOp failure = 3; }
message InternalRaftRequest { RequestHeader header = 100; uint64 ID = 1; TxnRequest txn = 6; }
message KeyValue { bytes key = 1; int64 create_revision = 2; int64 mod_revision = 3; int64 version = 4; bytes value = 5; int64 lease = 6; }
`;
const root = protobuf.parse(ETCD_PROTO).root;
const InternalRaftRequest = root.lookupType("InternalRaftRequest");
const KeyValue = root.lookupType("KeyValue");

function encodedRequest(key: string, valueBytes: number | null, modRevision: number): number {
  const k = Buffer.from(key);
  const success = valueBytes === null ? { requestDeleteRange: { key: k } } : { requestPut: { key: k, value: Buffer.alloc(valueBytes, 1) } };
  const msg = InternalRaftRequest.create({
    header: { ID: 2 ** 56 }, // a 9-byte varint, like idutil IDs whose member id has its top bit clear
    txn: { compare: [{ result: 0, target: 2, key: k, modRevision }], success: [success], failure: [{ requestRange: { key: k } }] },
  });
  return InternalRaftRequest.encode(msg).finish().length;
}

describe("etcd request size", () => {
  it("equals protobufjs's encoding of the apiserver's txn, for puts and deletes", () => {
    for (const [key, value, rev] of [
      ["/registry/services/endpoints/default/big", 1_572_000, 1_000_000_123],
      ["/registry/endpointslices/netscale-0001/small-service-3-abcde", 13_800, 5],
      ["/registry/pods/ns/p", 0, 0],
      ["/registry/pods/ns/p", 127, 128],
    ] as const) {
      expect(etcdRequestSize(Buffer.byteLength(key), value, rev)).toBe(encodedRequest(key, value, rev));
    }
    expect(etcdRequestSize(10, null, 99)).toBe(encodedRequest("0123456789", null, 99));
  });

  it("sizes a version's leaf element like mvccpb.KeyValue plus the revision key and bbolt's element header", () => {
    const kv = KeyValue.encode(
      KeyValue.create({ key: Buffer.alloc(40), createRevision: 1000, modRevision: 2_000_000, version: 3, value: Buffer.alloc(5000) }),
    ).finish().length;
    expect(versionBytes(40, 5000, 1000, 2_000_000, 3)).toBe(16 + 17 + kv);
  });
});

describe("Etcd", () => {
  const key = "/registry/services/endpoints/ns/svc";

  it("rejects a write whose request is one byte over --max-request-bytes and accepts one exactly at it", () => {
    const limit = ETCD_DEFAULTS.maxRequestBytes;
    // find the value size whose request is exactly the limit
    let value = limit - 200;
    while (etcdRequestSize(Buffer.byteLength(key), value, 0) < limit) value++;
    expect(etcdRequestSize(Buffer.byteLength(key), value, 0)).toBe(limit);
    const etcd = new Etcd({ maxRequestBytes: limit, quotaBytes: ETCD_DEFAULTS.quotaBytes });
    expect(etcd.write(key, value + 1, "endpoints")).toBe("too-large");
    expect(etcd.stats.rejectedTooLarge).toBe(1);
    expect(etcd.write(key, value, "endpoints")).toBe("ok");
    expect(etcd.stats.writes).toBe(1);
  });

  it("gives every write a new revision and keeps superseded versions until compaction", () => {
    const etcd = new Etcd({ maxRequestBytes: 1e6, quotaBytes: 1e9 }, 100);
    etcd.write("a", 1000, "endpoints");
    etcd.write("b", 500, "endpoints");
    expect(etcd.revision).toBe(102);
    const liveAfterCreates = etcd.liveBytes;
    expect(etcd.historyBytes).toBe(0);
    etcd.write("a", 1200, "endpoints");
    expect(etcd.revision).toBe(103);
    expect(etcd.historyBytes).toBe(pageBytes(versionBytes(1, 1000, 101, 101, 1)));
    expect(etcd.liveBytes).toBeCloseTo(liveAfterCreates - pageBytes(versionBytes(1, 1000, 101, 101, 1)) + pageBytes(versionBytes(1, 1200, 101, 103, 2)), 6);
    etcd.compact(102); // before the overwrite: nothing to drop
    expect(etcd.historyBytes).toBeGreaterThan(0);
    etcd.compact(103);
    expect(etcd.historyBytes).toBe(0);
    expect(etcd.dbTotalBytes).toBeGreaterThanOrEqual(etcd.dbInUseBytes); // the file does not shrink
    expect(etcd.stats).toMatchObject({ writes: 3, writeBytes: 2700, largestValueBytes: 1200, compactions: 2 });
  });

  it("keeps deletes as history until compacted", () => {
    const etcd = new Etcd({ maxRequestBytes: 1e6, quotaBytes: 1e9 });
    etcd.write("k", 100, "endpoints");
    expect(etcd.delete("k")).toBe(true);
    expect(etcd.delete("k")).toBe(false);
    expect(etcd.liveBytes).toBe(0);
    expect(etcd.historyBytes).toBeGreaterThan(100);
    etcd.compact(etcd.revision);
    expect(etcd.historyBytes).toBe(0);
  });

  it("raises NOSPACE past the quota: writes rejected from then on, deletes still allowed", () => {
    const etcd = new Etcd({ maxRequestBytes: 1e6, quotaBytes: 40_000 }); // 16 KiB of it is the empty database
    let outcome = "ok";
    let n = 0;
    while (outcome === "ok") outcome = etcd.write(`k${n++}`, 1000, "endpoints");
    expect(outcome).toBe("nospace");
    expect(etcd.noSpaceAlarm).toBe(true);
    expect(etcd.write("small", 1, "endpoints")).toBe("nospace");
    expect(etcd.stats.rejectedNoSpace).toBe(2);
    expect(etcd.delete("k0")).toBe(true);
    expect(etcd.dbTotalBytes).toBeLessThanOrEqual(40_000);
  });

  it("accounts numbered keys (keys whose names are never built) exactly as named keys of the same length", () => {
    const named = new Etcd({ maxRequestBytes: 1e6, quotaBytes: 1e9 }, 500);
    const plain = new Etcd({ maxRequestBytes: 1e6, quotaBytes: 1e9 }, 500);
    const numbered = new NumberedKeys(plain, "pods");
    const key = (i: number): string => `/registry/pods/ns/pod-${String(i).padStart(5, "0")}`;
    const len = key(0).length;
    for (let i = 0; i < 20; i++) {
      named.seed(key(i), 3000 + i, "pods");
      numbered.seed(i, len, 3000 + i);
    }
    for (let round = 0; round < 3; round++) {
      for (let i = round; i < 20; i += 3) {
        expect(numbered.write(i, len, 3500 + round)).toBe(named.write(key(i), 3500 + round, "pods"));
      }
      expect(numbered.delete(round * 5, len)).toBe(named.delete(key(round * 5)));
      named.compact(named.revision - 3);
      plain.compact(plain.revision - 3);
    }
    expect(numbered.write(99, len, 2_000_000)).toBe("too-large");
    for (const k of ["revision", "liveBytes", "historyBytes", "dbTotalBytes"] as const) expect(plain[k]).toBeCloseTo(named[k], 6);
    expect(plain.stats.writes).toBe(named.stats.writes);
    expect(plain.byKind.pods).toEqual(named.byKind.pods);
  });

  it("seeds existing objects without counting writes", () => {
    const etcd = new Etcd({ maxRequestBytes: 1e6, quotaBytes: 1e9 });
    etcd.seed("x", 50, "endpoints");
    expect(etcd.stats.writes).toBe(0);
    expect(etcd.valueBytes("x")).toBe(50);
  });
});

describe("an Endpoints object against --max-request-bytes", () => {
  it("is stored up to the last address count that fits and rejected one address later", async () => {
    const { endpoints, SCALE_MD_SHAPE } = await import("./objects/samples.js");
    const { storedSize } = await import("./objects/index.js");
    const key = "/registry/services/endpoints/team-payments/checkout";
    const request = (n: number): number => etcdRequestSize(Buffer.byteLength(key), storedSize(endpoints(SCALE_MD_SHAPE, "checkout", n)), 1_000_000_000);
    // binary search the largest address count whose write fits in 1.5 MiB
    let lo = 1;
    let hi = 20_000;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (request(mid) <= ETCD_DEFAULTS.maxRequestBytes) lo = mid;
      else hi = mid - 1;
    }
    const fits = lo;
    expect(fits).toBeGreaterThan(8000); // ~190 B per address with these name lengths: ~9k addresses fit
    expect(fits).toBeLessThan(10_000);
    expect(request(fits)).toBeLessThanOrEqual(ETCD_DEFAULTS.maxRequestBytes);
    expect(request(fits + 1)).toBeGreaterThan(ETCD_DEFAULTS.maxRequestBytes);

    const etcd = new Etcd({ maxRequestBytes: ETCD_DEFAULTS.maxRequestBytes, quotaBytes: ETCD_DEFAULTS.quotaBytes }, 999_999_999);
    etcd.seed(key, 100, "endpoints"); // the object exists: the write is an update at mod revision 1,000,000,000
    expect(etcd.write(key, storedSize(endpoints(SCALE_MD_SHAPE, "checkout", fits + 1)), "endpoints")).toBe("too-large");
    expect(etcd.write(key, storedSize(endpoints(SCALE_MD_SHAPE, "checkout", fits)), "endpoints")).toBe("ok");
  });
});
