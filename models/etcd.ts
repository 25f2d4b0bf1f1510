/**
 * etcd as the apiserver uses it: an MVCC key space where every write is a new revision, superseded versions kept
 * until the apiserver compacts, a request-size limit, and a backend quota that raises the NOSPACE alarm.
 *
 * Sources (facts scale.md §3): `--max-request-bytes` 1.5 MiB (server/embed/config.go DefaultMaxRequestBytes),
 * quota 2 GiB (server/storage/quota.go DefaultQuotaBytes), NOSPACE "only accepts key reads and deletes"
 * (op-guide/maintenance.md), apiserver `--etcd-compaction-interval` 5m.
 */
import { messageFieldSize as embeddedSize, tagSize, varintSize } from "./objects/protobuf-size.js";

export interface EtcdConfig {
  maxRequestBytes: number;
  quotaBytes: number;
  /** Bytes of the request header's ID varint: etcd's idutil IDs put the 16-bit member id in the top bits. */
  requestIdBytes?: number;
}

export const ETCD_DEFAULTS = {
  // facts scale.md §3: DefaultMaxRequestBytes = 1.5 * 1024 * 1024
  maxRequestBytes: 1.5 * 1024 * 1024,
  // facts scale.md §3: DefaultQuotaBytes = 2 GiB
  quotaBytes: 2 * 1024 * 1024 * 1024,
  // Assumption: idutil.Generator IDs are memberID<<48 | ms-timestamp<<8 | counter, so 9 varint bytes when the
  // member id's top bit is 0 and 10 otherwise; we take 9.
  requestIdBytes: 9,
} as const;

export type WriteOutcome = "ok" | "too-large" | "nospace";

/**
 * The size of the raft request etcd checks against --max-request-bytes for an apiserver write:
 * server/etcdserver/v3_server.go processInternalRaftRequestOnce marshals InternalRaftRequest
 * {header(100){ID}, txn(6){...}} and rejects it when len(data) > MaxRequestBytes.
 * The apiserver's etcd3 store writes `If(ModRevision(key) == rev).Then(OpPut(key, value)).Else(OpGet(key))`
 * (and `.Then(OpDelete(key))` for deletes); field numbers from api/etcdserverpb/rpc.proto and raft_internal.proto.
 */
export function etcdRequestSize(keyBytes: number, valueBytes: number | null, modRevision: number, requestIdBytes: number = ETCD_DEFAULTS.requestIdBytes): number {
  // Compare{result EQUAL=0 (omitted, proto3), target MOD=2, key=3, mod_revision=6 (a oneof member: written even if 0)}
  const compare = tagSize(2) + 1 + embeddedSize(3, keyBytes) + tagSize(6) + varintSize(modRevision);
  // RequestOp{request_put=2{key=1, value=2}} or RequestOp{request_delete_range=3{key=1}}
  const op = valueBytes === null ? embeddedSize(3, embeddedSize(1, keyBytes)) : embeddedSize(2, embeddedSize(1, keyBytes) + (valueBytes > 0 ? embeddedSize(2, valueBytes) : 0));
  // RequestOp{request_range=1{key=1}} on the else branch
  const failure = embeddedSize(1, embeddedSize(1, keyBytes));
  const txn = embeddedSize(1, compare) + embeddedSize(2, op) + embeddedSize(3, failure);
  const header = embeddedSize(100, tagSize(1) + requestIdBytes);
  return header + embeddedSize(6, txn);
}

/**
 * Bytes one key version occupies in the bbolt backend: the 17-byte revision key (main 8 + sub 8 + flag), the
 * mvccpb.KeyValue{key=1, create_revision=2, mod_revision=3, version=4, value=5} value, and bbolt's 16-byte leaf
 * element header. Page fill and freelist overhead are not modelled (an assumption, stated in the README).
 */
export function versionBytes(keyBytes: number, valueBytes: number, createRevision: number, modRevision: number, version: number): number {
  const kv =
    embeddedSize(1, keyBytes) +
    tagSize(2) + varintSize(createRevision) +
    tagSize(3) + varintSize(modRevision) +
    tagSize(4) + varintSize(version) +
    (valueBytes > 0 ? embeddedSize(5, valueBytes) : 0);
  return 16 + 17 + kv;
}

interface LiveKey {
  valueBytes: number;
  createRevision: number;
  modRevision: number;
  version: number;
  storedBytes: number;
}

export interface EtcdStats {
  writes: number;
  writeBytes: number;
  deletes: number;
  rejectedTooLarge: number;
  rejectedNoSpace: number;
  largestValueBytes: number;
  compactions: number;
}

/**
 * The MVCC store. Sizes only: values are byte counts, keys are strings. Superseded versions (and tombstones) stay
 * counted in the database until a compaction at or past the revision that superseded them.
 */
/** Kubernetes keys are ASCII (resource names, DNS-1123 namespaces and names), so their bytes are their characters. */
function keyBytes(key: string): number {
  return key.length;
}

export class Etcd {
  revision: number;
  readonly stats: EtcdStats = { writes: 0, writeBytes: 0, deletes: 0, rejectedTooLarge: 0, rejectedNoSpace: 0, largestValueBytes: 0, compactions: 0 };
  /** Bytes of live (latest, not deleted) versions. */
  liveBytes = 0;
  /** Bytes of superseded versions and tombstones not yet compacted. */
  historyBytes = 0;
  /** High-water mark of live + history: bbolt reuses freed pages but the file never shrinks without defrag. */
  dbTotalBytes = 0;
  /** The NOSPACE alarm: raised when a write would take the database past the quota; never disarmed in a run. */
  noSpaceAlarm = false;

  private readonly keys = new Map<string, LiveKey>();
  // Superseded versions, in revision order: (revision that superseded it, bytes).
  private supersededAt: number[] = [];
  private supersededBytes: number[] = [];
  private supersededHead = 0;
  private readonly config: Required<EtcdConfig>;

  constructor(config: EtcdConfig, startRevision = 1) {
    this.config = { requestIdBytes: ETCD_DEFAULTS.requestIdBytes, ...config };
    this.revision = startRevision;
  }

  get dbInUseBytes(): number {
    return this.liveBytes + this.historyBytes;
  }

  /** Current stored value size of a key, or undefined. */
  valueBytes(key: string): number | undefined {
    return this.keys.get(key)?.valueBytes;
  }

  /** Loads an existing object without counting it as a write (the state of the cluster at time zero). */
  seed(key: string, valueBytes: number): void {
    this.put(key, this.keys.get(key), valueBytes, false);
  }

  /** Creates or updates a key through the apiserver's compare-and-swap txn. */
  write(key: string, valueBytes: number): WriteOutcome {
    const live = this.keys.get(key);
    const request = etcdRequestSize(keyBytes(key), valueBytes, live?.modRevision ?? 0, this.config.requestIdBytes);
    if (request > this.config.maxRequestBytes) {
      this.stats.rejectedTooLarge++;
      return "too-large";
    }
    const added = versionBytes(keyBytes(key), valueBytes, live?.createRevision ?? this.revision + 1, this.revision + 1, (live?.version ?? 0) + 1);
    // server/storage/quota.go: be.Size() (the file, free pages included) + cost > quota raises NOSPACE
    if (this.noSpaceAlarm || this.dbTotalBytes + added > this.config.quotaBytes) {
      this.noSpaceAlarm = true;
      this.stats.rejectedNoSpace++;
      return "nospace";
    }
    this.put(key, live, valueBytes, true);
    return "ok";
  }

  /** Deletes a key (allowed under NOSPACE). Returns false if it did not exist. */
  delete(key: string): boolean {
    const live = this.keys.get(key);
    if (live === undefined) return false;
    this.revision++;
    this.keys.delete(key);
    this.liveBytes -= live.storedBytes;
    const tombstone = versionBytes(keyBytes(key), 0, 0, 0, 0);
    this.retire(live.storedBytes + tombstone);
    this.stats.deletes++;
    this.touchHighWater();
    return true;
  }

  /** Compacts all history superseded at or before `revision`. */
  compact(revision: number): void {
    let i = this.supersededHead;
    while (i < this.supersededAt.length && this.supersededAt[i] <= revision) {
      this.historyBytes -= this.supersededBytes[i];
      i++;
    }
    this.supersededHead = i;
    if (i > 4096 && i * 2 > this.supersededAt.length) {
      this.supersededAt = this.supersededAt.slice(i);
      this.supersededBytes = this.supersededBytes.slice(i);
      this.supersededHead = 0;
    }
    this.stats.compactions++;
  }

  private put(key: string, live: LiveKey | undefined, valueBytes: number, counted: boolean): void {
    this.revision++;
    const createRevision = live?.createRevision ?? this.revision;
    const version = (live?.version ?? 0) + 1;
    const stored = versionBytes(keyBytes(key), valueBytes, createRevision, this.revision, version);
    if (live !== undefined) {
      this.liveBytes -= live.storedBytes;
      if (counted) this.retire(live.storedBytes);
    }
    this.keys.set(key, { valueBytes, createRevision, modRevision: this.revision, version, storedBytes: stored });
    this.liveBytes += stored;
    if (counted) {
      this.stats.writes++;
      this.stats.writeBytes += valueBytes;
      if (valueBytes > this.stats.largestValueBytes) this.stats.largestValueBytes = valueBytes;
    }
    this.touchHighWater();
  }

  private retire(bytes: number): void {
    this.supersededAt.push(this.revision);
    this.supersededBytes.push(bytes);
    this.historyBytes += bytes;
  }

  private touchHighWater(): void {
    const inUse = this.dbInUseBytes;
    if (inUse > this.dbTotalBytes) this.dbTotalBytes = inUse;
  }
}
