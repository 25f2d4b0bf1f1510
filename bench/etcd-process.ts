/**
 * A throwaway single-member etcd for measurements and tests: its own data dir under the OS temp dir, 127.0.0.1 ports
 * only, no auto-compaction; driven through the gRPC gateway (JSON over HTTP, base64 keys and values). Debian's
 * `etcd-server` package provides the binary (or set ETCD_BIN); `etcdBinary()` says whether one runs.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ETCD_BIN = process.env.ETCD_BIN ?? "etcd";
const QUOTA = 8 * 1024 * 1024 * 1024;
const FLUSH_COMMITS = 3;
export const MAX_OPS_PER_TXN = 128;
let CONCURRENCY = 4;
const log = (msg: string) => process.stderr.write(`[etcd] ${msg}\n`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
export const b64 = (s: string | Buffer) => (typeof s === "string" ? Buffer.from(s) : s).toString("base64");

/** The etcd version that runs here, or the reason none does. */
export function etcdBinary(): { version: string } | { missing: string } {
  const v = spawnSync(ETCD_BIN, ["--version"], { encoding: "utf8" });
  if (v.error || v.status !== 0)
    return {
      missing: `etcd binary '${ETCD_BIN}' not runnable (${v.error ? v.error.message : `exit ${v.status}`}); install Debian's etcd-server or set ETCD_BIN`,
    };
  return { version: /etcd Version:\s*(\S+)/.exec(v.stdout)?.[1] ?? v.stdout.trim().split("\n")[0] };
}

/** Requests in flight in runBatches. */
export function setConcurrency(n: number): void {
  CONCURRENCY = n;
}

// ---- etcd process --------------------------------------------------------------------------------------------
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface EtcdProcess {
  proc: ChildProcess;
  dir: string;
  clientUrl: string;
  port: number;
  agent: http.Agent;
  exited: boolean;
}
const running = new Set<EtcdProcess>();

export async function startEtcd(): Promise<EtcdProcess> {
  const dir = mkdtempSync(join(tmpdir(), "etcd-db-size-"));
  const [cport, pport] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${cport}`;
  const peerUrl = `http://127.0.0.1:${pport}`;
  const logFd = openSync(join(dir, "etcd.log"), "w");
  const args = [
    "--name",
    "bench",
    "--data-dir",
    join(dir, "data"),
    "--listen-client-urls",
    clientUrl,
    "--advertise-client-urls",
    clientUrl,
    "--listen-peer-urls",
    peerUrl,
    "--initial-advertise-peer-urls",
    peerUrl,
    "--initial-cluster",
    `bench=${peerUrl}`,
    "--quota-backend-bytes",
    String(QUOTA),
    "--auto-compaction-retention",
    "0",
    "--max-txn-ops",
    String(MAX_OPS_PER_TXN),
    "--log-outputs",
    "stderr",
  ];
  const proc = spawn(ETCD_BIN, args, { stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  const e: EtcdProcess = { proc, dir, clientUrl, port: cport, agent: new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY + 2 }), exited: false };
  running.add(e);
  proc.on("exit", () => (e.exited = true));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (e.exited) throw new Error(`etcd exited during start-up:\n${logTail(e)}`);
    try {
      const h = JSON.parse((await request(e, "GET", "/health")).toString()) as { health?: string };
      if (h.health === "true") break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`etcd not healthy after 30 s:\n${logTail(e)}`);
    await sleep(100);
  }
  return e;
}

function logTail(e: EtcdProcess): string {
  try {
    return readFileSync(join(e.dir, "etcd.log"), "utf8").split("\n").slice(-15).join("\n");
  } catch {
    return "(no log)";
  }
}

export async function stopEtcd(e: EtcdProcess): Promise<void> {
  if (!e.exited) {
    e.proc.kill("SIGTERM");
    const t0 = Date.now();
    while (!e.exited && Date.now() - t0 < 10_000) await sleep(50);
    if (!e.exited) e.proc.kill("SIGKILL");
    while (!e.exited && Date.now() - t0 < 15_000) await sleep(50);
  }
  e.agent.destroy();
  rmSync(e.dir, { recursive: true, force: true });
  running.delete(e);
}

function stopAllSync(): void {
  for (const e of running) {
    if (!e.exited) e.proc.kill("SIGKILL");
    rmSync(e.dir, { recursive: true, force: true });
  }
  running.clear();
}
for (const sig of ["SIGINT", "SIGTERM"] as const) {
  process.on(sig, () => {
    log(`${sig}: stopping etcd and removing its data dir`);
    stopAllSync();
    process.exit(130);
  });
}
process.on("exit", stopAllSync);

function request(e: EtcdProcess, method: string, path: string, body?: unknown): Promise<Buffer> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: e.port,
        method,
        path,
        agent: e.agent,
        headers: payload ? { "content-type": "application/json", "content-length": payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const buf = Buffer.concat(chunks);
          if (res.statusCode !== 200) reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${buf.toString().slice(0, 300)}`));
          else resolve(buf);
        });
        res.on("error", reject);
      },
    );
    req.setTimeout(120_000, () => req.destroy(new Error(`${method} ${path}: timeout`)));
    req.on("error", reject);
    req.end(payload);
  });
}

export async function call<T>(e: EtcdProcess, path: string, body: unknown): Promise<T> {
  const buf = await request(e, "POST", path, body);
  const obj = JSON.parse(buf.toString()) as T & { error?: string };
  if (obj.error) throw new Error(`${path}: ${obj.error}`);
  return obj;
}

export type Op = { request_put: { key: string; value: string } } | { request_delete_range: { key: string } };

/** Runs `batches` (each one txn of ops, or one plain put when single) with CONCURRENCY requests in flight. */
export async function runBatches(e: EtcdProcess, count: number, makeBatch: (i: number) => Op[], single: boolean): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      const ops = makeBatch(i);
      if (single && ops.length === 1 && "request_put" in ops[0]) await call(e, "/v3/kv/put", ops[0].request_put);
      else await call(e, "/v3/kv/txn", { success: ops });
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

export interface Status {
  dbSize: number;
  dbSizeInUse: number;
  revision: number;
  fileBytes: number;
  fileAllocatedBytes: number;
}

export async function status(e: EtcdProcess): Promise<Status> {
  // Tiny puts, each in its own backend commit (batch interval 100 ms): the rightmost leaf of the key bucket then
  // holds only these, so neither it nor the pages freed by the last real commit (still "pending" while a read tx
  // may see them, and counted as in use) inflate dbSizeInUse by up to a few large values.
  for (let i = 0; i < FLUSH_COMMITS; i++) {
    await call(e, "/v3/kv/put", { key: b64("/bench/flush"), value: b64("x") });
    await sleep(120);
  }
  await sleep(100);
  const s = await call<{ dbSize?: string; dbSizeInUse?: string; header: { revision: string } }>(e, "/v3/maintenance/status", {});
  const st = statSync(join(e.dir, "data", "member", "snap", "db"));
  return {
    dbSize: Number(s.dbSize ?? 0),
    dbSizeInUse: Number(s.dbSizeInUse ?? 0),
    revision: Number(s.header.revision),
    fileBytes: st.size,
    fileAllocatedBytes: st.blocks * 512,
  };
}

export async function compact(e: EtcdProcess, revision: number): Promise<number> {
  const t0 = Date.now();
  await call(e, "/v3/kv/compaction", { revision: String(revision), physical: true });
  return Date.now() - t0;
}
