/**
 * The Endpoints controller on the simulation clock (docs/sources.md §7.7 and §11): one whole Endpoints object
 * per Service per sync, primary IP family only, ready addresses and not-ready ones (terminating pods left out unless
 * publishNotReadyAddresses), batched by `endpointUpdatesBatchPeriod`, written only when its content changed.
 *
 * Before v1.22 there is no cap, so a big Service's object runs into the apiserver's body limit or etcd's request
 * limit and the sync fails and retries with backoff; from v1.22 (`truncate`) at most 1,000 addresses, ready ones
 * first, proportional per subset by truncateEndpoints, annotation `endpoints.kubernetes.io/over-capacity: truncated`.
 *
 * Sizes: an address's entry is the same ready or not; a truncated object keeps `kept` of each kind, sized as that
 * many average entries of the kind (which addresses survive depends on their sort order, not modelled per address).
 */
import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import { growFloat64, growInt32 } from "../../engine/typed-arrays.js";
import type { Cluster, Service } from "../cluster/cluster.js";
import type { ApiStore } from "../api-store.js";
import type { ObjectBytes, ObjectSizer } from "../object-bytes.js";
import { ServiceController, type ControllerQueueConfig, type WriteSink } from "./controller-base.js";
import { MAX_ENDPOINTS_CAPACITY } from "./endpoints-repack.js";

export interface EndpointsControllerConfig extends ControllerQueueConfig {
  truncate: boolean;
  batchPeriod: Micros;
}

/** The addresses the controller would publish for a Service: counts, summed entry sizes, a fingerprint. */
interface Tally {
  ready: number;
  notReady: number;
  readyBytes: number;
  readyJson: number;
  notReadyBytes: number;
  notReadyJson: number;
  fingerprint: number;
}

interface EndpointsRecord {
  created: Micros;
  /** Content fingerprint of the last written object; NaN before the first write. */
  fingerprint: number;
  bytes: ObjectBytes | undefined;
}

export class EndpointsController extends ServiceController {
  truncatedWrites = 0;
  private readonly records: EndpointsRecord[];
  /** Pod changes seen per Service. */
  private readonly changes: Float64Array;
  private readonly tallies: (Tally | undefined)[];
  // Per pod: what it adds to its Service's tally now.
  private contribution = new Int32Array(1024);
  private contributedBytes = new Float64Array(1024);
  private contributedJson = new Float64Array(1024);
  private contributedHash = new Float64Array(1024);
  /** The last object computed, reused while nothing changed (retries of a rejected write). */
  private readonly lastContent: ({ key: string; value: ReturnType<EndpointsController["content"]> } | undefined)[];

  constructor(
    sim: Simulation,
    cluster: Cluster,
    private readonly store: ApiStore,
    private readonly sizer: ObjectSizer,
    private readonly sink: WriteSink,
    private readonly config: EndpointsControllerConfig,
  ) {
    // docs/sources.md §11: DefaultTypedControllerRateLimiter, per-item backoff from 5 ms
    super(sim, cluster, config, 5_000);
    const n = cluster.services.length;
    this.records = Array.from({ length: n }, () => ({ created: 0, fingerprint: Number.NaN, bytes: undefined }));
    this.changes = new Float64Array(n);
    this.tallies = new Array(n);
    this.lastContent = new Array(n);
  }

  /** The objects as they stand at time zero (stored in etcd, no events). */
  seed(): void {
    for (const svc of this.cluster.services) {
      if (this.present[svc.index] === 0) continue;
      const content = this.content(svc, Number.NaN, 1);
      const rec = this.records[svc.index];
      rec.fingerprint = content.fingerprint;
      rec.bytes = content.bytes;
      this.store.etcd.seed(this.key(svc), content.bytes.stored, "endpoints");
      this.sink.objectChanged(svc, "endpoints", undefined, content.bytes);
    }
  }

  podChanged(svc: number, pod: number, trigger: number): void {
    this.changes[svc]++;
    const service = this.cluster.services[svc];
    this.account(service, this.tally(service), pod);
    this.noteTrigger(svc, trigger);
    this.queue.addAfter(svc, this.config.batchPeriod);
  }

  private key(svc: Service): string {
    return `/registry/services/endpoints/${svc.namespace}/${svc.name}`;
  }

  /**
   * The Service's addresses as the controller lists them, kept up to date pod by pod: each pod's contribution
   * (ready or not-ready address, its entry sizes, its fingerprint term) is swapped when the pod changes.
   */
  private tally(svc: Service): Tally {
    let t = this.tallies[svc.index];
    if (t === undefined) {
      t = { ready: 0, notReady: 0, readyBytes: 0, readyJson: 0, notReadyBytes: 0, notReadyJson: 0, fingerprint: 0 };
      this.tallies[svc.index] = t;
      for (const p of svc.pods) this.account(svc, t, p);
    }
    return t;
  }

  /** Replaces pod p's contribution to the tally by its current one (none when removed or terminating). */
  private account(svc: Service, t: Tally, p: number): void {
    if (p >= this.contribution.length) {
      let cap = this.contribution.length;
      while (cap <= p) cap *= 2;
      this.contribution = growInt32(this.contribution, cap);
      this.contributedBytes = growFloat64(this.contributedBytes, cap);
      this.contributedJson = growFloat64(this.contributedJson, cap);
      this.contributedHash = growFloat64(this.contributedHash, cap);
    }
    const old = this.contribution[p];
    if (old !== NONE) {
      if (old === READY) {
        t.ready--;
        t.readyBytes -= this.contributedBytes[p];
        t.readyJson -= this.contributedJson[p];
      } else {
        t.notReady--;
        t.notReadyBytes -= this.contributedBytes[p];
        t.notReadyJson -= this.contributedJson[p];
      }
      t.fingerprint = (t.fingerprint - this.contributedHash[p] + FINGERPRINT_MODULUS) % FINGERPRINT_MODULUS;
      this.contribution[p] = NONE;
    }
    const c = this.cluster;
    // ShouldPodBeInEndpoints(pod, publishNotReadyAddresses): terminating pods only when not-ready ones are published
    if (c.podAlive[p] === 0 || c.podHasIP[p] === 0 || (c.podTerminating[p] === 1 && !svc.publishNotReadyAddresses)) return;
    const family = svc.ipFamilies[0]; // docs/sources.md §7.7: the primary family only
    const isReady = svc.publishNotReadyAddresses || c.podReady[p] === 1;
    const b = this.sizer.addressEntry(p, family);
    const j = this.sizer.addressEntryJson(p, family);
    const h = hash3(p, c.podSlot[p], isReady ? 1 : 0) % FINGERPRINT_MODULUS;
    if (isReady) {
      t.ready++;
      t.readyBytes += b;
      t.readyJson += j;
    } else {
      t.notReady++;
      t.notReadyBytes += b;
      t.notReadyJson += j;
    }
    t.fingerprint = (t.fingerprint + h) % FINGERPRINT_MODULUS;
    this.contribution[p] = isReady ? READY : NOT_READY;
    this.contributedBytes[p] = b;
    this.contributedJson[p] = j;
    this.contributedHash[p] = h;
  }

  /** The object the controller would write now, its size and a fingerprint of its addresses. */
  private content(svc: Service, trigger: number, revision: number): { bytes: ObjectBytes; fingerprint: number; truncated: boolean } {
    // only the length of the resourceVersion and of the trigger annotation affect the size
    const key = `${this.changes[svc.index]}/${trigger}/${String(revision).length}/${this.records[svc.index].bytes === undefined}`;
    const last = this.lastContent[svc.index];
    if (last !== undefined && last.key === key) return last.value;
    const value = this.computeContent(svc, trigger, revision);
    this.lastContent[svc.index] = { key, value };
    return value;
  }

  private computeContent(svc: Service, trigger: number, revision: number): { bytes: ObjectBytes; fingerprint: number; truncated: boolean } {
    const t = this.tally(svc);
    let truncated = false;
    let keptReady = t.ready;
    let keptNotReady = t.notReady;
    if (this.config.truncate && t.ready + t.notReady > MAX_ENDPOINTS_CAPACITY) {
      // truncateEndpoints on the one subset all pods share (same ports): ready ones first, then not-ready ones
      truncated = true;
      keptReady = Math.min(t.ready, MAX_ENDPOINTS_CAPACITY);
      keptNotReady = Math.min(t.notReady, MAX_ENDPOINTS_CAPACITY - keptReady);
    }
    const scale = (bytes: number, n: number, kept: number): number => (n === 0 ? 0 : Math.round((bytes * kept) / n));
    const rec = this.records[svc.index];
    const bytes = this.sizer.endpoints(
      svc,
      {
        readyEntries: scale(t.readyBytes, t.ready, keptReady),
        readyEntriesJson: scale(t.readyJson, t.ready, keptReady),
        ready: keptReady,
        notReadyEntries: scale(t.notReadyBytes, t.notReady, keptNotReady),
        notReadyEntriesJson: scale(t.notReadyJson, t.notReady, keptNotReady),
        notReady: keptNotReady,
        truncated,
      },
      { revision, generation: 0, created: rec.created, trigger, now: this.sim.now },
      rec.bytes === undefined ? "ADDED" : "MODIFIED",
    );
    return { bytes, fingerprint: t.fingerprint, truncated };
  }

  protected sync(svcIndex: number): void {
    const svc = this.cluster.services[svcIndex];
    this.counters.syncs++;
    if (this.present[svcIndex] === 0) {
      this.queue.done(svcIndex, true);
      return;
    }
    const trigger = this.takeTrigger(svcIndex);
    this.sim.after(this.syncCost(svc, this.config.syncBase, this.config.syncPerEndpoint), () => {
      const rec = this.records[svcIndex];
      const probe = this.content(svc, trigger, this.store.etcd.revision + 1);
      if (probe.fingerprint === rec.fingerprint) {
        this.queue.done(svcIndex, true);
        return;
      }
      this.client.run(
        [
          () => {
            const content = probe;
            if (content.bytes.body > this.counters.maxObjectBytes) this.counters.maxObjectBytes = content.bytes.body;
            if (this.store.write(this.key(svc), content.bytes.body, content.bytes.stored, "endpoints") !== "ok") {
              this.counters.rejected++;
              return false;
            }
            if (rec.bytes === undefined) {
              this.counters.creates++;
              rec.created = this.sim.now;
            } else {
              this.counters.updates++;
            }
            if (content.truncated) this.truncatedWrites++;
            this.sink.objectChanged(svc, "endpoints", rec.bytes, content.bytes);
            rec.bytes = content.bytes;
            rec.fingerprint = content.fingerprint;
            this.sink.committed(svc, content.bytes, trigger, "endpoints");
            return true;
          },
        ],
        (ok) => {
          if (!ok) {
            this.counters.failedSyncs++;
            this.noteTrigger(svcIndex, trigger);
          }
          this.queue.done(svcIndex, ok);
        },
      );
    });
  }
}

const NONE = 0;
const READY = 1;
const NOT_READY = 2;
const FINGERPRINT_MODULUS = 4294967291;

function hash3(a: number, b: number, c: number): number {
  let h = Math.imul(a ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ b ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = Math.imul(h ^ c ^ (h >>> 16), 0x27d4eb2f) >>> 0;
  return h >>> 0;
}
