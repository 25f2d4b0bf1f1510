/**
 * etcd as the apiserver uses it: an MVCC key space where every write is a new revision, superseded versions kept
 * until the apiserver compacts, a request-size limit, and a backend quota that raises the NOSPACE alarm.
 *
 * Sources (docs/sources.md §16; etcd-io/etcd): `--max-request-bytes` 1.5 MiB (server/embed/config.go
 * DefaultMaxRequestBytes), quota 2 GiB (server/storage/quota.go DefaultQuotaBytes), NOSPACE "only accepts key reads and
 * deletes" (op-guide/maintenance.md), apiserver `--etcd-compaction-interval` 5m.
 */
import { growFloat64, growUint8 } from "../engine/typed-arrays.js";
import { messageFieldSize as embeddedSize, tagSize, varintSize } from "./objects/protobuf-size.js";

export interface EtcdConfig {
  maxRequestBytes: number;
  quotaBytes: number;
  /** Bytes of the request header's ID varint: etcd's idutil IDs put the 16-bit member id in the top bits. */
  requestIdBytes?: number;
}

export const ETCD_DEFAULTS = {
  // etcd-io/etcd server/embed/config.go: DefaultMaxRequestBytes = 1.5 * 1024 * 1024
  maxRequestBytes: 1.5 * 1024 * 1024,
  // etcd-io/etcd server/storage/quota.go: DefaultQuotaBytes = 2 GiB (docs/sources.md §16)
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
export function etcdRequestSize(
  keyBytes: number,
  valueBytes: number | null,
  modRevision: number,
  requestIdBytes: number = ETCD_DEFAULTS.requestIdBytes,
): number {
  // Compare{result EQUAL=0 (omitted, proto3), target MOD=2, key=3, mod_revision=6 (a oneof member: written even if 0)}
  const compare = tagSize(2) + 1 + embeddedSize(3, keyBytes) + tagSize(6) + varintSize(modRevision);
  // RequestOp{request_put=2{key=1, value=2}} or RequestOp{request_delete_range=3{key=1}}
  const op =
    valueBytes === null
      ? embeddedSize(3, embeddedSize(1, keyBytes))
      : embeddedSize(2, embeddedSize(1, keyBytes) + (valueBytes > 0 ? embeddedSize(2, valueBytes) : 0));
  // RequestOp{request_range=1{key=1}} on the else branch
  const failure = embeddedSize(1, embeddedSize(1, keyBytes));
  const txn = embeddedSize(1, compare) + embeddedSize(2, op) + embeddedSize(3, failure);
  const header = embeddedSize(100, tagSize(1) + requestIdBytes);
  return header + embeddedSize(6, txn);
}

/**
 * Bytes of one key version as a bbolt leaf element: the 17-byte revision key (main 8 + sub 8 + flag), the
 * mvccpb.KeyValue{key=1, create_revision=2, mod_revision=3, version=4, value=5} value, and bbolt's 16-byte leaf
 * element header.
 */
export function versionBytes(keyBytes: number, valueBytes: number, createRevision: number, modRevision: number, version: number): number {
  const kv =
    embeddedSize(1, keyBytes) +
    tagSize(2) +
    varintSize(createRevision) +
    tagSize(3) +
    varintSize(modRevision) +
    tagSize(4) +
    varintSize(version) +
    (valueBytes > 0 ? embeddedSize(5, valueBytes) : 0);
  return 16 + 17 + kv;
}

/**
 * Bytes a leaf element of `element` bytes takes in the database file: etcd appends to its "key" bucket in revision
 * order with FillPercent 0.9 (server/storage/backend/batch_tx.go UnsafeSeqPut), so a 4,096-byte page (16-byte
 * header) holds k = max(2, floor(3670 / element)) elements (bbolt keeps at least 2 per node; larger ones overflow
 * into further pages), and each page costs a 33-byte element of a branch page (111 a page). Fitted to a real etcd
 * (3.4.23, bbolt 1.3.6): within 0.25% of dbSizeInUse from 200 B to 100 KB values, fresh, overwritten and compacted
 * (bench/perf/etcd-db-size.ts; the etcd-db-size test checks it).
 */
export function pageBytes(element: number): number {
  const k = Math.max(2, Math.floor(3670 / element));
  return (Math.ceil((16 + k * element) / 4096) * 4096) / k + 4096 / (111 * k);
}

/** A delete's tombstone: an 18-byte revision key (with the tombstone mark) and a KeyValue holding only the key. */
export function tombstoneBytes(keyBytes: number): number {
  return pageBytes(16 + 18 + embeddedSize(1, keyBytes));
}

/** What an empty database holds in use: meta, freelist and root pages (4 pages; the file is 5). */
export const EMPTY_DB_BYTES = 16_384;

/** The key prefixes the model stores, as `etcd.writes.<kind>` names them. */
export const ETCD_KINDS = ["pods", "nodes", "leases", "events", "services", "endpointslices", "endpoints"] as const;
export type EtcdKind = (typeof ETCD_KINDS)[number];

export interface EtcdStats {
  writes: number;
  writeBytes: number;
  deletes: number;
  rejectedTooLarge: number;
  rejectedNoSpace: number;
  largestValueBytes: number;
  compactions: number;
}

/** Writes and written value bytes per kind. */
export type EtcdKindStats = Record<EtcdKind, { writes: number; writeBytes: number }>;

interface LiveKey {
  valueBytes: number;
  createRevision: number;
  modRevision: number;
  version: number;
  storedBytes: number;
}

/**
 * Many keys of one kind that the model does not follow one by one (node Leases, Node objects, pods that back no
 * Service, Events): their count, the size of each, and the writes that overwrite, create or delete some of them.
 * Every key of a group weighs the same; a write's version superseding another is kept as history like any other.
 */
export interface KeyGroup {
  readonly kind: EtcdKind;
  readonly keyBytes: number;
  count: number;
  valueBytes: number;
  /** Bytes one live version of the group occupies in the database. */
  storedBytes: number;
}

/**
 * Keys numbered 0, 1, 2, ... whose names the model never builds (every backend pod): the same versions, history and
 * accounting as named keys, with the key's length given instead of the key.
 */
export class NumberedKeys {
  private live = new Uint8Array(1024);
  private valueBytes = new Float64Array(1024);
  private createRevision = new Float64Array(1024);
  private modRevision = new Float64Array(1024);
  private version = new Float64Array(1024);
  private stored = new Float64Array(1024);

  constructor(
    private readonly etcd: Etcd,
    readonly kind: EtcdKind,
  ) {}

  seed(id: number, keyLength: number, valueBytes: number): void {
    this.put(id, keyLength, valueBytes, false);
  }

  write(id: number, keyLength: number, valueBytes: number): WriteOutcome {
    this.grow(id);
    const exists = this.live[id] === 1;
    const e = this.etcd;
    if (etcdRequestSize(keyLength, valueBytes, exists ? this.modRevision[id] : 0, e.requestIdBytes) > e.maxRequestBytes) {
      e.stats.rejectedTooLarge++;
      return "too-large";
    }
    const added = pageBytes(
      versionBytes(keyLength, valueBytes, exists ? this.createRevision[id] : e.revision + 1, e.revision + 1, (exists ? this.version[id] : 0) + 1),
    );
    if (e.overQuota(added)) return "nospace";
    this.put(id, keyLength, valueBytes, true);
    return "ok";
  }

  delete(id: number, keyLength: number): boolean {
    if (id >= this.live.length || this.live[id] === 0) return false;
    this.live[id] = 0;
    this.etcd.deleteVersion(this.stored[id], keyLength);
    return true;
  }

  private put(id: number, keyLength: number, valueBytes: number, counted: boolean): void {
    this.grow(id);
    const e = this.etcd;
    const exists = this.live[id] === 1;
    const createRevision = exists ? this.createRevision[id] : e.revision + 1;
    const version = (exists ? this.version[id] : 0) + 1;
    const stored = pageBytes(versionBytes(keyLength, valueBytes, createRevision, e.revision + 1, version));
    e.putVersion(exists ? this.stored[id] : undefined, stored, this.kind, valueBytes, counted);
    this.live[id] = 1;
    this.valueBytes[id] = valueBytes;
    this.createRevision[id] = createRevision;
    this.modRevision[id] = e.revision;
    this.version[id] = version;
    this.stored[id] = stored;
  }

  private grow(id: number): void {
    if (id < this.live.length) return;
    let cap = this.live.length;
    while (cap <= id) cap *= 2;
    this.live = growUint8(this.live, cap);
    this.valueBytes = growFloat64(this.valueBytes, cap);
    this.createRevision = growFloat64(this.createRevision, cap);
    this.modRevision = growFloat64(this.modRevision, cap);
    this.version = growFloat64(this.version, cap);
    this.stored = growFloat64(this.stored, cap);
  }
}

/** Kubernetes keys are ASCII (resource names, DNS-1123 namespaces and names), so their bytes are their characters. */
function keyBytes(key: string): number {
  return key.length;
}

/**
 * The MVCC store. Sizes only: values are byte counts, keys are strings (or counted groups of alike keys).
 * Superseded versions (and tombstones) stay counted in the database until a compaction at or past the revision
 * that superseded them.
 */
export class Etcd {
  revision: number;
  readonly stats: EtcdStats = { writes: 0, writeBytes: 0, deletes: 0, rejectedTooLarge: 0, rejectedNoSpace: 0, largestValueBytes: 0, compactions: 0 };
  readonly byKind: EtcdKindStats = Object.fromEntries(ETCD_KINDS.map((k) => [k, { writes: 0, writeBytes: 0 }])) as EtcdKindStats;
  /** Bytes of live (latest, not deleted) versions. */
  liveBytes = 0;
  /** Bytes of superseded versions and tombstones not yet compacted. */
  historyBytes = 0;
  /**
   * High-water mark of what is in use: bbolt reuses freed pages but the file never shrinks without defrag. Pages
   * left part-empty by compacting scattered versions are not modelled (measured: up to 2x for values under 2 KB).
   */
  dbTotalBytes = EMPTY_DB_BYTES;
  /** The NOSPACE alarm: raised when a write would take the database past the quota; never disarmed in a run. */
  noSpaceAlarm = false;
  /** When the alarm was raised (the simulation time passed to `at`), NaN while it is not. */
  noSpaceAt = Number.NaN;

  private readonly keys = new Map<string, LiveKey>();
  // Superseded versions, in revision order: (revision that superseded it, bytes).
  private supersededAt: number[] = [];
  private supersededBytes: number[] = [];
  private supersededHead = 0;
  private readonly config: Required<EtcdConfig>;
  /** The current simulation time, for `noSpaceAt` (set by the owner; etcd itself has no clock). */
  now: () => number = () => Number.NaN;

  constructor(config: EtcdConfig, startRevision = 1) {
    this.config = { requestIdBytes: ETCD_DEFAULTS.requestIdBytes, ...config };
    this.revision = startRevision;
  }

  get maxRequestBytes(): number {
    return this.config.maxRequestBytes;
  }

  get requestIdBytes(): number {
    return this.config.requestIdBytes;
  }

  /** A new version of `stored` bytes at the next revision, superseding one of `previous` bytes (if any). */
  putVersion(previous: number | undefined, stored: number, kind: EtcdKind, valueBytes: number, counted: boolean): void {
    this.revision++;
    if (previous !== undefined) {
      this.liveBytes -= previous;
      if (counted) this.retire(previous);
    }
    this.liveBytes += stored;
    if (counted) this.countWrites(kind, 1, valueBytes);
    this.touchHighWater();
  }

  /** A key's live version of `stored` bytes deleted: a new revision, its tombstone and the version go to history. */
  deleteVersion(stored: number, keyLength: number): void {
    this.revision++;
    this.liveBytes -= stored;
    this.retire(stored + tombstoneBytes(keyLength));
    this.stats.deletes++;
    this.touchHighWater();
  }

  get dbInUseBytes(): number {
    return EMPTY_DB_BYTES + this.liveBytes + this.historyBytes;
  }

  /** Current stored value size of a key, or undefined. */
  valueBytes(key: string): number | undefined {
    return this.keys.get(key)?.valueBytes;
  }

  /** Loads an existing object without counting it as a write (the state of the cluster at time zero). */
  seed(key: string, valueBytes: number, kind: EtcdKind): void {
    this.put(key, this.keys.get(key), valueBytes, kind, false);
  }

  /** Creates or updates a key through the apiserver's compare-and-swap txn. */
  write(key: string, valueBytes: number, kind: EtcdKind): WriteOutcome {
    const live = this.keys.get(key);
    const request = etcdRequestSize(keyBytes(key), valueBytes, live?.modRevision ?? 0, this.config.requestIdBytes);
    if (request > this.config.maxRequestBytes) {
      this.stats.rejectedTooLarge++;
      return "too-large";
    }
    const added = pageBytes(versionBytes(keyBytes(key), valueBytes, live?.createRevision ?? this.revision + 1, this.revision + 1, (live?.version ?? 0) + 1));
    if (this.overQuota(added)) return "nospace";
    this.put(key, live, valueBytes, kind, true);
    return "ok";
  }

  /** Deletes a key (allowed under NOSPACE). Returns false if it did not exist. */
  delete(key: string): boolean {
    const live = this.keys.get(key);
    if (live === undefined) return false;
    this.keys.delete(key);
    this.deleteVersion(live.storedBytes, keyBytes(key));
    return true;
  }

  /** A group of `count` alike keys, all present at time zero (no writes counted). */
  seedGroup(kind: EtcdKind, keyLength: number, count: number, valueBytes: number): KeyGroup {
    const group: KeyGroup = { kind, keyBytes: keyLength, count: 0, valueBytes, storedBytes: this.groupVersionBytes(keyLength, valueBytes) };
    this.revision += count;
    this.addLive(group, count);
    return group;
  }

  /**
   * `count` writes overwriting keys of the group with values of `valueBytes` (the group's size from then on).
   * Returns how many were accepted: all, or those before NOSPACE.
   */
  overwriteInGroup(group: KeyGroup, count: number, valueBytes: number = group.valueBytes): number {
    if (count <= 0) return 0;
    const stored = this.groupVersionBytes(group.keyBytes, valueBytes);
    const accepted = this.acceptable(count, stored);
    if (accepted === 0) return 0;
    this.revision += accepted;
    this.liveBytes += (stored - group.storedBytes) * group.count;
    this.retire(accepted * group.storedBytes);
    group.valueBytes = valueBytes;
    group.storedBytes = stored;
    this.countWrites(group.kind, accepted, valueBytes);
    this.touchHighWater();
    return accepted;
  }

  /** `count` new keys in the group (creates). Returns how many were accepted. */
  createInGroup(group: KeyGroup, count: number): number {
    if (count <= 0) return 0;
    const accepted = this.acceptable(count, group.storedBytes);
    this.revision += accepted;
    this.addLive(group, accepted);
    this.countWrites(group.kind, accepted, group.valueBytes);
    return accepted;
  }

  /** Deletes `count` keys of the group (at most all it has; allowed under NOSPACE). */
  deleteInGroup(group: KeyGroup, count: number): void {
    const n = Math.min(count, group.count);
    if (n <= 0) return;
    this.revision += n;
    group.count -= n;
    this.liveBytes -= n * group.storedBytes;
    this.retire(n * (group.storedBytes + tombstoneBytes(group.keyBytes)));
    this.stats.deletes += n;
    this.touchHighWater();
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

  /** server/storage/quota.go: be.Size() (the file, free pages included) + cost > quota raises NOSPACE. */
  overQuota(added: number): boolean {
    if (this.noSpaceAlarm || this.dbTotalBytes + added > this.config.quotaBytes) {
      this.raiseNoSpace();
      this.stats.rejectedNoSpace++;
      return true;
    }
    return false;
  }

  /** How many of `count` writes of `bytes` each fit before the quota; raises NOSPACE for the rest. */
  private acceptable(count: number, bytes: number): number {
    if (this.noSpaceAlarm) {
      this.stats.rejectedNoSpace += count;
      return 0;
    }
    const room = this.config.quotaBytes - this.dbTotalBytes;
    const fit = Math.max(0, Math.min(count, Math.floor(room / bytes)));
    if (fit < count) {
      this.raiseNoSpace();
      this.stats.rejectedNoSpace += count - fit;
    }
    return fit;
  }

  private raiseNoSpace(): void {
    if (!this.noSpaceAlarm) this.noSpaceAt = this.now();
    this.noSpaceAlarm = true;
  }

  private addLive(group: KeyGroup, count: number): void {
    group.count += count;
    this.liveBytes += count * group.storedBytes;
    this.touchHighWater();
  }

  /** A group's keys are as old as the cluster: versions and revisions of 9 varint bytes, like the run's own. */
  private groupVersionBytes(keyLength: number, valueBytes: number): number {
    return pageBytes(versionBytes(keyLength, valueBytes, this.revision, this.revision, 2));
  }

  private countWrites(kind: EtcdKind, count: number, valueBytes: number): void {
    this.stats.writes += count;
    this.stats.writeBytes += count * valueBytes;
    this.byKind[kind].writes += count;
    this.byKind[kind].writeBytes += count * valueBytes;
    if (valueBytes > this.stats.largestValueBytes) this.stats.largestValueBytes = valueBytes;
  }

  private put(key: string, live: LiveKey | undefined, valueBytes: number, kind: EtcdKind, counted: boolean): void {
    const createRevision = live?.createRevision ?? this.revision + 1;
    const version = (live?.version ?? 0) + 1;
    const stored = pageBytes(versionBytes(keyBytes(key), valueBytes, createRevision, this.revision + 1, version));
    this.putVersion(live?.storedBytes, stored, kind, valueBytes, counted);
    this.keys.set(key, { valueBytes, createRevision, modRevision: this.revision, version, storedBytes: stored });
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
