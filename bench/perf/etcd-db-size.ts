/**
 * `npm run bench:etcd -- [--sizes 200,600,...] [--target-mb 50] [--min-keys 1000] [--max-keys 250000] [--concurrency 4]`
 *
 * Measures how a real etcd's bbolt database grows: the data the simulator's db-size model (models/etcd.ts pageBytes)
 * was fitted to, about 6 minutes on 2 cores. For every value size S it
 * starts a throwaway single-member etcd on free 127.0.0.1 ports (fresh --data-dir under the OS temp dir, quota
 * 8 GiB, no auto-compaction, all other flags at their defaults), writes Kubernetes-like keys with random
 * (incompressible) values through the gRPC gateway (`POST /v3/kv/txn` with base64 keys/values, several puts per
 * txn, a few txns in flight), and reads `dbSize` / `dbSizeInUse` from `POST /v3/maintenance/status`:
 *
 *   empty             the fresh database before any write
 *   a-insert          N distinct keys, one version each
 *   b-overwrite k=1..3  the same N keys overwritten k times (N*(k+1) versions kept: no compaction yet)
 *   b-compact         compaction at the current revision (physical): back to N versions
 *   b-reuse           one more overwrite round after the compaction (2N versions): do freed pages get reused?
 *   b-reuse-compact   compaction again
 *   c-delete          delete every other key (N/2 tombstones added, nothing freed yet)
 *   c-compact         compaction: N/2 live versions left, interleaved with the freed ones
 *   d-churn r=1..3    overwrite a random quarter of the live keys (N/8 old versions scattered over the pages)
 *   d-churn-compact   compaction after each churn round
 *
 * Before each reading, three 1-byte puts to /bench/flush, each in its own backend commit (100 ms batch interval),
 * leave the rightmost leaf of the "key" bucket small and release the pages freed by the last real commit (those
 * are "pending", counted in use, until a later write tx). Each experiment prints one JSON object per line on
 * stdout; progress goes to stderr. N = clamp(target / S, min-keys, max-keys). Puts go `ops` per txn (at most 128,
 * ~1 MB), so a txn's puts share one main revision; the `single` extra run uses one /v3/kv/put per key instead.
 * Extra insert-only runs: S=200 with 164-byte keys (`longkey`) and S=600 with one put per request (`single`).
 * If no etcd binary is found (Debian: `apt-get install etcd-server`; or set ETCD_BIN) it prints one
 * `{"skipped":...}` line and exits 0. The etcd process is stopped and
 * its temp dir removed at the end, on error and on SIGINT/SIGTERM.
 */
import { randomBytes } from "node:crypto";
import { b64, compact, etcdBinary, MAX_OPS_PER_TXN, runBatches, setConcurrency, startEtcd, status, stopEtcd, type Op, type Status } from "../etcd-process.js";

// ---- options -------------------------------------------------------------------------------------------------
function opt(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : dflt;
}
const SIZES = opt("sizes", "200,600,1500,3000,6000,20000,100000").split(",").map(Number);
const TARGET_BYTES = Number(opt("target-mb", "50")) * 1e6;
const MIN_KEYS = Number(opt("min-keys", "1000"));
const MAX_KEYS = Number(opt("max-keys", "250000"));
const CONCURRENCY = Number(opt("concurrency", "4"));
setConcurrency(CONCURRENCY);
/** ~1 MB of payload per txn (default --max-request-bytes 1.5 MiB), at most MAX_OPS_PER_TXN puts. */
const TXN_PAYLOAD_BYTES = 1_000_000;
/** Extra runs: a long-key variant (to separate the key-length term) and a one-put-per-request variant. */
const EXTRA = opt("extra", "longkey,single")
  .split(",")
  .filter((s) => s !== "" && s !== "none");
const log = (msg: string) => process.stderr.write(`[etcd-db-size] ${msg}\n`);
const emit = (obj: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(obj)}\n`);

// ---- experiments ---------------------------------------------------------------------------------------------
const NS = 500;
const CHURN_ROUNDS = 3;
function shuffle<T>(a: T[]): T[] {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}
/** `/registry/pods/ns-042/pod-1a2b3c4d5e-0000a` (42 bytes); long variant pads the namespace and name (~160 bytes). */
function makeKeys(n: number, long: boolean): string[] {
  const keys: string[] = [];
  for (let i = 0; i < n; i++) {
    const ns = `ns-${String(i % NS).padStart(3, "0")}`;
    const id = `${randomBytes(5).toString("hex")}-${i.toString(36).padStart(5, "0")}`;
    keys.push(
      long
        ? `/registry/endpointslices/${ns}-team-observability-platform-prod/svc-metrics-collector-aggregator-${id}-${"x".repeat(48)}`
        : `/registry/pods/${ns}/pod-${id}`,
    );
  }
  return keys;
}

interface Run {
  label: string;
  valueBytes: number;
  keys: number;
  long: boolean;
  single: boolean;
  /** Only fresh inserts (no overwrite/delete phases). */
  insertOnly: boolean;
}

async function runOne(r: Run, version: string): Promise<void> {
  const t0 = Date.now();
  const e = await startEtcd();
  try {
    const S = r.valueBytes;
    const N = r.keys;
    const keys = makeKeys(N, r.long);
    const keyB64 = keys.map((k) => b64(k));
    const keyBytes = keys.reduce((a, k) => a + Buffer.byteLength(k), 0);
    const ops = r.single ? 1 : Math.max(1, Math.min(MAX_OPS_PER_TXN, Math.floor(TXN_PAYLOAD_BYTES / (S + keyBytes / N + 32))));
    const batches = Math.ceil(N / ops);
    const putBatch = (i: number): Op[] => {
      const out: Op[] = [];
      for (let j = i * ops; j < Math.min(N, (i + 1) * ops); j++) out.push({ request_put: { key: keyB64[j], value: randomBytes(S).toString("base64") } });
      return out;
    };
    const empty = await status(e);
    const base = { run: r.label, etcdVersion: version, valueBytes: S, keyBytes: keyBytes / N, keys: N, opsPerRequest: ops, concurrency: CONCURRENCY };
    const row = (experiment: string, s: Status, liveVersions: number, oldVersions: number, tombstones: number, extra: Record<string, unknown> = {}) => {
      const versions = liveVersions + oldVersions;
      const logicalBytes = versions * (keyBytes / N + S) + tombstones * (keyBytes / N);
      const obj = {
        experiment,
        ...base,
        ...extra,
        liveVersions,
        oldVersions,
        tombstones,
        logicalBytes,
        dbSize: s.dbSize,
        dbSizeInUse: s.dbSizeInUse,
        fileBytes: s.fileBytes,
        fileAllocatedBytes: s.fileAllocatedBytes,
        revision: s.revision,
        emptyDbSize: empty.dbSize,
        emptyDbSizeInUse: empty.dbSizeInUse,
        inUsePerVersion: versions + tombstones > 0 ? (s.dbSizeInUse - empty.dbSizeInUse) / (versions + tombstones) : null,
        dbSizePerVersion: versions + tombstones > 0 ? (s.dbSize - empty.dbSize) / (versions + tombstones) : null,
        inUseOverLogical: logicalBytes > 0 ? (s.dbSizeInUse - empty.dbSizeInUse) / logicalBytes : null,
        elapsedMs: Date.now() - t0,
      };
      emit(obj);
      log(
        `${r.label} ${experiment}${extra.k !== undefined ? ` k=${extra.k}` : ""}${extra.round !== undefined ? ` round=${extra.round}` : ""}: dbSize=${(s.dbSize / 1e6).toFixed(2)}MB inUse=${(s.dbSizeInUse / 1e6).toFixed(2)}MB perVersion=${obj.inUsePerVersion?.toFixed(1)} (${((Date.now() - t0) / 1000).toFixed(1)}s)`,
      );
    };
    row("empty", empty, 0, 0, 0);

    const tw = Date.now();
    await runBatches(e, batches, putBatch, r.single);
    const writeSeconds = (Date.now() - tw) / 1000;
    let s = await status(e);
    row("a-insert", s, N, 0, 0, { writeSeconds });
    if (r.insertOnly) return;

    for (let k = 1; k <= 3; k++) {
      await runBatches(e, batches, putBatch, r.single);
      s = await status(e);
      row("b-overwrite", s, N, N * k, 0, { k });
    }
    let ms = await compact(e, s.revision);
    row("b-compact", await status(e), N, 0, 0, { compactionMs: ms });

    await runBatches(e, batches, putBatch, r.single);
    s = await status(e);
    row("b-reuse", s, N, N, 0, { k: 1 });
    ms = await compact(e, s.revision);
    row("b-reuse-compact", await status(e), N, 0, 0, { compactionMs: ms });

    // c: delete every other key (even indices), so the surviving versions are interleaved with freed ones.
    const deleted = keyB64.filter((_, j) => j % 2 === 0);
    const live = keyB64.filter((_, j) => j % 2 === 1);
    const half = deleted.length;
    const delOps = Math.max(1, Math.min(MAX_OPS_PER_TXN, ops * 4));
    await runBatches(e, Math.ceil(half / delOps), (i) => deleted.slice(i * delOps, (i + 1) * delOps).map((key) => ({ request_delete_range: { key } })), false);
    s = await status(e);
    row("c-delete", s, N - half, half, half);
    ms = await compact(e, s.revision);
    row("c-compact", await status(e), N - half, 0, 0, { compactionMs: ms });

    // d: churn. Each round overwrites a random quarter of the live keys (in random order), then compacts, as a
    // cluster's scattered updates do: the superseded versions are spread over many pages.
    for (let round = 1; round <= CHURN_ROUNDS; round++) {
      const pick = shuffle(live.slice()).slice(0, Math.floor(live.length / 4));
      await runBatches(
        e,
        Math.ceil(pick.length / ops),
        (i) => pick.slice(i * ops, (i + 1) * ops).map((key) => ({ request_put: { key, value: randomBytes(S).toString("base64") } })),
        r.single,
      );
      s = await status(e);
      row("d-churn", s, live.length, pick.length, 0, { round, updated: pick.length });
      ms = await compact(e, s.revision);
      row("d-churn-compact", await status(e), live.length, 0, 0, { round, compactionMs: ms });
    }
  } finally {
    await stopEtcd(e);
  }
}

async function main(): Promise<void> {
  const bin = etcdBinary();
  if ("missing" in bin) {
    log(`skipped: ${bin.missing}`);
    emit({ skipped: true, reason: bin.missing });
    return;
  }
  const version = bin.version;
  log(`etcd ${version}; sizes ${SIZES.join(",")}; target ${TARGET_BYTES / 1e6} MB per insert round; ${CONCURRENCY} requests in flight`);
  const nFor = (S: number) => Math.min(MAX_KEYS, Math.max(MIN_KEYS, Math.round(TARGET_BYTES / S)));
  const runs: Run[] = SIZES.map((S) => ({ label: `S${S}`, valueBytes: S, keys: nFor(S), long: false, single: false, insertOnly: false }));
  if (EXTRA.includes("longkey")) {
    runs.push({ label: "S200-longkey", valueBytes: 200, keys: 50_000, long: true, single: false, insertOnly: true });
  }
  if (EXTRA.includes("single")) runs.push({ label: "S600-single", valueBytes: 600, keys: 10_000, long: false, single: true, insertOnly: true });
  const t0 = Date.now();
  for (const r of runs) await runOne(r, version);
  log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((err: unknown) => {
  log(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exit(1);
});
