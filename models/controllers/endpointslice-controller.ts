/**
 * The EndpointSlice controller on the simulation clock: the workqueue and its batching, the packing algorithm
 * chosen by the scenario, the API calls of each sync through the controller's rate-limited client, etcd, and the
 * watch events every write fans out.
 *
 * A sync (docs/sources.md §7.1–§7.6): list the Service's pods (terminating ones included), build each address
 * family's desired endpoints, let the algorithm plan creates, updates and deletes, then send them in that order; the
 * first rejected call ends the sync, which is retried with backoff. The trigger time the written slices carry is the
 * oldest pod change since the last successful sync (the trigger-time tracker); a sync with only removals carries none.
 *
 * For algorithms that accept it (k8s), a sync passes the slices that hold none of the pods changed since the last
 * sync as `untouched`, so a big Service syncs in time proportional to what changed; a property test checks the plans
 * equal the full computation's.
 */
import { Histogram } from "../../engine/metrics.js";
import type { Simulation } from "../../engine/simulation.js";
import type { Micros } from "../../engine/time.js";
import { growFloat64, growInt32 } from "../../engine/typed-arrays.js";
import { suffix } from "../cluster/naming.js";
import type { Cluster, IPFamily, Service } from "../cluster/cluster.js";
import type { ApiStore } from "../api-store.js";
import type { WatchSink } from "../apiserver.js";
import type { ObjectBytes, ObjectSizer, WatchType } from "../object-bytes.js";
import type { ApiCall } from "./api-client.js";
import { ServiceController, type ControllerQueueConfig, type WriteSink } from "./controller-base.js";
import { reconcileService } from "./packing/service.js";
import type { EndpointState, PackingAlgorithm, PackingOptions, SlicePlan, SliceState } from "./packing/types.js";

export interface EndpointSliceControllerConfig extends ControllerQueueConfig {
  maxEndpointsPerSlice: number;
  batchPeriod: Micros;
  options: PackingOptions;
}

export interface SliceRecord {
  state: SliceState;
  created: Micros;
  generation: number;
  bytes: ObjectBytes;
}

const PORT_KEY_PREFIX = "ports:";
/** plan()'s mark of a pod changed since the last sync (claimed-as-they-stand marks are the bits above it). */
const DIRTY = 1;

export class EndpointSliceController extends ServiceController {
  /** Per Service, its slices (label-selected list) in creation order. */
  readonly slices: SliceRecord[][];
  /** endpoint_slice_controller_endpointslices_changed_per_sync: per family per successful sync. docs/sources.md §10 */
  readonly changedPerSync = new Histogram("endpointslice_controller.endpointslices_changed_per_sync", "count", { percentiles: [50, 99] });
  /** The gauges per Service (pkg/controller/endpointslice/metrics), from its last sync: desired endpoints, desired slices, slices. */
  readonly gauges: { endpointsDesired: Float64Array; desiredSlices: Float64Array; numSlices: Float64Array };
  private readonly dirty: Set<number>[];
  /**
   * The Service's slices are known, so a sync may take only the pods changed since (`dirty`: after a failed sync it
   * still holds what that sync planned); false before its first sync, which computes from all pods.
   */
  private readonly tracked: Uint8Array;
  /** Per family: pod -> the slice holding its endpoint. */
  private readonly podSlice: Map<IPFamily, PodSliceIndex>;
  private readonly stateCache = new Map<IPFamily, EndpointStateCache>();
  private nameSerial = 0;
  /** Per Service, the watch log index of its latest slice write or delete (-1: none). */
  private readonly lastChange: Float64Array;
  /** Per watch log index, when the controller's own informer received it (NaN: not yet). */
  private arrival = new Float64Array(1024).fill(Number.NaN);
  /** Syncs refused because the informer had not yet seen the controller's own writes (syncs{result="stale"}). */
  staleSyncs = 0;
  /**
   * The controller's informer of EndpointSlices, fed by the apiserver's watch. Until one is attached (`watched`), the
   * cache is assumed current.
   */
  readonly informer: WatchSink = {
    receive: (_w, arrival, change) => {
      if (change >= this.arrival.length) this.arrival = growFloat64(this.arrival, Math.max(change + 1, this.arrival.length * 2), Number.NaN);
      this.arrival[change] = arrival;
    },
  };
  watched = false;

  constructor(
    sim: Simulation,
    cluster: Cluster,
    private readonly store: ApiStore,
    private readonly sizer: ObjectSizer,
    private readonly sink: WriteSink,
    private readonly algorithm: PackingAlgorithm,
    private readonly config: EndpointSliceControllerConfig,
  ) {
    // docs/sources.md §11: the EndpointSlice controller's per-item backoff starts at 1 s
    super(sim, cluster, config, 1_000_000);
    const n = cluster.services.length;
    this.slices = Array.from({ length: n }, () => []);
    this.gauges = { endpointsDesired: new Float64Array(n), desiredSlices: new Float64Array(n), numSlices: new Float64Array(n) };
    this.dirty = Array.from({ length: n }, () => new Set<number>());
    this.tracked = new Uint8Array(n);
    this.podSlice = new Map((["IPv4", "IPv6"] as IPFamily[]).map((f) => [f, new PodSliceIndex()]));
    this.lastChange = new Float64Array(n).fill(-1);
  }

  /** Builds every present Service's slices as they stand at time zero: no API calls, no watch events. */
  seed(): void {
    for (const svc of this.cluster.services) {
      if (this.present[svc.index] === 0) continue;
      const plans = this.plan(svc, false);
      for (const plan of plans) {
        this.gauges.endpointsDesired[svc.index] += plan.metrics.desiredEndpoints;
        this.gauges.desiredSlices[svc.index] += plan.metrics.desiredSlices;
        this.gauges.numSlices[svc.index] += plan.metrics.actualSlices;
        for (const s of [...plan.creates, ...plan.updates]) {
          const rec = this.record(svc, s, 0, 1, Number.NaN, "ADDED");
          this.store.etcd.seed(this.key(svc, s.name), rec.bytes.stored, "endpointslices");
          this.keep(svc, rec);
        }
      }
      this.dirty[svc.index].clear();
      this.tracked[svc.index] = 1;
    }
  }

  /** A pod of `svc` changed; `trigger` is its trigger time (NaN for a removal). Batched per the controller's period. */
  podChanged(svc: number, pod: number, trigger: number): void {
    this.dirty[svc].add(pod);
    this.noteTrigger(svc, trigger);
    this.queue.addAfter(svc, this.config.batchPeriod);
  }

  /** Current slices of a Service (for reports and tests). */
  slicesOf(svc: number): SliceState[] {
    return this.slices[svc].map((r) => r.state);
  }

  protected sync(svcIndex: number): void {
    const svc = this.cluster.services[svcIndex];
    this.counters.syncs++;
    if (this.present[svcIndex] === 0) {
      this.queue.done(svcIndex, true);
      return;
    }
    if (this.stale(svcIndex)) {
      // EndpointSliceTracker.StaleSlices: "EndpointSlice informer cache is out of date"; retried rate-limited
      this.staleSyncs++;
      this.queue.done(svcIndex, false);
      return;
    }
    const trigger = this.takeTrigger(svcIndex);
    const plans = this.plan(svc, this.algorithm.acceptsUntouched === true && this.tracked[svcIndex] === 1);
    const planned = this.dirty[svcIndex];
    this.dirty[svcIndex] = new Set();
    this.tracked[svcIndex] = 1;
    const calls: ApiCall[] = [];
    this.gauges.endpointsDesired[svcIndex] = 0;
    this.gauges.desiredSlices[svcIndex] = 0;
    this.gauges.numSlices[svcIndex] = 0;
    for (const plan of plans) {
      this.counters.endpointsAdded += plan.metrics.added;
      this.counters.endpointsRemoved += plan.metrics.removed;
      // summed over the Service's families (upstream keys its cache by Service, so the last family wins:
      // docs/sources.md §10)
      this.gauges.endpointsDesired[svcIndex] += plan.metrics.desiredEndpoints;
      this.gauges.desiredSlices[svcIndex] += plan.metrics.desiredSlices;
      this.gauges.numSlices[svcIndex] += plan.metrics.actualSlices;
      for (const s of plan.creates) calls.push(() => this.write(svc, s, "ADDED", trigger));
      for (const s of plan.updates) calls.push(() => this.write(svc, s, "MODIFIED", trigger));
      for (const s of plan.deletes) calls.push(() => this.remove(svc, s.name));
    }
    this.sim.after(this.syncCost(svc, this.config.syncBase, this.config.syncPerEndpoint), () =>
      this.client.run(calls, (ok) => {
        if (!ok) {
          this.counters.failedSyncs++;
          // the trigger is not consumed: the retry carries the oldest change still unprogrammed
          this.noteTrigger(svcIndex, trigger);
          // what was planned may be written only in part: its pods stay changed for the next (incremental) sync
          for (const p of planned) this.dirty[svcIndex].add(p);
        } else {
          for (const plan of plans) this.changedPerSync.record(plan.metrics.changedPerSync);
        }
        this.queue.done(svcIndex, ok);
      }),
    );
  }

  /**
   * The tracker expects a generation (or a deletion) the informer has not delivered yet: the informer receives the
   * controller's changes in order, so it is current once it has the Service's latest.
   */
  private stale(svc: number): boolean {
    const k = this.lastChange[svc];
    return this.watched && k >= 0 && !(this.arrival[k] <= this.sim.now);
  }

  private noteChange(svc: number, change: number): void {
    this.lastChange[svc] = change;
  }

  private markBuffer = new Uint8Array(1024);

  /** A zeroed mark per pod id (left zeroed by its user). */
  private marks(pods: number): Uint8Array {
    if (pods > this.markBuffer.length) this.markBuffer = new Uint8Array(Math.max(pods, this.markBuffer.length * 2));
    return this.markBuffer;
  }

  private positionBuffer = new Int32Array(1024);
  private readonly portKeys: string[] = [];

  /** The algorithm's plan for the Service now, one per address family. */
  protected plan(svc: Service, incremental: boolean): SlicePlan[] {
    const families = svc.ipFamilies;
    const records = this.slices[svc.index];
    const existing = new Array<SliceState>(records.length);
    for (let i = 0; i < records.length; i++) existing[i] = records[i].state;
    const desired = new Map<IPFamily, Map<string, EndpointState[]>>();
    let untouched: Map<IPFamily, Set<string>> | undefined;
    const portKey = (this.portKeys[svc.index] ??= PORT_KEY_PREFIX + svc.ports.map((p) => `${p.protocol}/${p.name}/${p.targetPort}`).join(","));
    const c = this.cluster;
    // with an algorithm that takes them, endpoints of revisited slices whose pods did not change are claimed as they
    // stand instead of being looked up: marks hold DIRTY for changed pods and a bit per family once claimed
    const asIs = incremental && this.algorithm.acceptsAsIs === true;
    const claimAsIs = asIs ? new Map<IPFamily, (e: EndpointState) => boolean>() : undefined;
    const marks = this.marks(c.podCount);
    const claimed: number[] = [];
    const dirty = this.dirty[svc.index];
    if (incremental) {
      untouched = new Map();
      if (asIs) for (const pod of dirty) marks[pod] = DIRTY;
      for (let f = 0; f < families.length; f++) {
        const family = families[f];
        const index = this.podSlice.get(family)!;
        const affected = new Set<string>();
        for (const pod of dirty) {
          const name = index.get(pod);
          if (name !== undefined) affected.add(name);
        }
        // the pods to reconsider: the changed ones, and (unless claimed as they stand) those sharing a slice with
        // one, by their position in the Service's pod list (marks: each once); the other slices are untouched
        if (this.positionBuffer.length < c.podCount) this.positionBuffer = new Int32Array(Math.max(c.podCount, this.positionBuffer.length * 2));
        const positions = this.positionBuffer;
        const candidates: number[] = [];
        const keep = new Set<string>();
        // some endpoint stays without being in `list`: in an untouched slice, or unchanged in a revisited one
        let stays = false;
        for (const s of existing) {
          if (s.addressType !== family) continue;
          if (!affected.has(s.name)) {
            keep.add(s.name);
            stays ||= s.endpoints.length > 0;
            continue;
          }
          if (asIs) {
            stays ||= s.endpoints.some((e) => marks[podOf(e)] === 0);
            continue;
          }
          for (const e of s.endpoints) {
            const pod = podOf(e);
            if (marks[pod] === 1) continue;
            marks[pod] = 1;
            candidates.push(pod);
          }
        }
        for (const pod of dirty) {
          if (asIs) candidates.push(pod);
          else if (marks[pod] === 0) {
            marks[pod] = 1;
            candidates.push(pod);
          }
        }
        let live = 0;
        for (const p of candidates) {
          if (!asIs) marks[p] = 0;
          if (c.isEndpoint(p)) positions[live++] = c.position(p);
        }
        const sorted = positions.subarray(0, live).sort();
        const states = this.stateCacheOf(family);
        const list = new Array<EndpointState>(live);
        for (let k = 0; k < live; k++) list[k] = this.endpointState(states, svc.pods[sorted[k]]);
        untouched.set(family, keep);
        if (claimAsIs !== undefined) {
          const bit = 2 << f;
          claimAsIs.set(family, (e) => {
            const pod = podOf(e);
            const m = marks[pod];
            if ((m & (DIRTY | bit)) !== 0) return false;
            marks[pod] = m | bit;
            claimed.push(pod);
            return true;
          });
        }
        // upstream creates the port map's entry for every pod with an IP; with endpoints in untouched slices (or
        // unchanged ones in revisited slices) it exists
        if (list.length > 0 || stays) desired.set(family, new Map([[portKey, list]]));
      }
    } else {
      for (const family of families) {
        const states = this.stateCacheOf(family);
        const list: EndpointState[] = [];
        for (const p of svc.pods) if (c.podHasIP[p] === 1) list.push(this.endpointState(states, p));
        if (list.length > 0) desired.set(family, new Map([[portKey, list]]));
      }
    }
    let taken: Set<string> | undefined;
    try {
      return reconcileService(this.algorithm, {
        families,
        maxEndpointsPerSlice: this.config.maxEndpointsPerSlice,
        desired,
        existing,
        nameFor: () => {
          // generateName: a random 5-character suffix; the apiserver refuses a name in use and the create is retried
          taken ??= new Set(existing.map((s) => s.name));
          let name: string;
          do name = `${svc.name}-${suffix(`slice/${svc.index}/${this.nameSerial++}`, 5)}`;
          while (taken.has(name));
          taken.add(name);
          return name;
        },
        options: this.config.options,
        untouched,
        claimAsIs,
      });
    } finally {
      for (const pod of claimed) marks[pod] = 0;
      if (asIs) for (const pod of dirty) marks[pod] = 0;
    }
  }

  /** A family's cache of endpoints per pod, grown to the cluster's pod capacity. */
  private stateCacheOf(family: IPFamily): EndpointStateCache {
    let cache = this.stateCache.get(family);
    const pods = this.cluster.podService.length;
    if (cache === undefined || pods > cache.version.length) {
      const cap = Math.max(1024, pods);
      const grown = { version: new Int32Array(cap).fill(-1), slot: new Int32Array(cap).fill(-1), state: new Array<PodEndpoint>(cap) };
      if (cache !== undefined) {
        grown.version.set(cache.version);
        grown.slot.set(cache.slot);
        for (let i = 0; i < cache.state.length; i++) grown.state[i] = cache.state[i];
      }
      cache = grown;
      this.stateCache.set(family, cache);
    }
    return cache;
  }

  /** The endpoint a pod contributes to a family's slices, cached while the pod does not change. */
  private endpointState(cache: EndpointStateCache, pod: number): EndpointState {
    const c = this.cluster;
    if (cache.version[pod] !== c.podVersion[pod] || cache.slot[pod] !== c.podSlot[pod]) {
      const node = c.podNode[pod];
      cache.state[pod] = {
        pod,
        id: `${pod}:${c.podSlot[pod]}`,
        // podToEndpoint: ready = publishNotReadyAddresses || (serving && !terminating)
        ready: c.services[c.podService[pod]].publishNotReadyAddresses || (c.podReady[pod] === 1 && c.podTerminating[pod] === 0),
        serving: c.podReady[pod] === 1,
        terminating: c.podTerminating[pod] === 1,
        nodeName: c.nodeName(node),
        zone: c.zoneName(node),
      };
      cache.version[pod] = c.podVersion[pod];
      cache.slot[pod] = c.podSlot[pod];
    }
    return cache.state[pod];
  }

  private key(svc: Service, name: string): string {
    return `/registry/endpointslices/${svc.namespace}/${name}`;
  }

  /** Sizes a slice version, as written now. */
  private record(svc: Service, s: SliceState, created: Micros, generation: number, trigger: number, type: WatchType): SliceRecord {
    const family = s.addressType as IPFamily;
    let entries = 0;
    let entriesJson = 0;
    for (const e of s.endpoints) {
      const pod = podOf(e);
      entries += this.sizer.sliceEntry(pod, family);
      entriesJson += this.sizer.sliceEntryJson(pod, family);
    }
    const bytes = this.sizer.slice(
      svc,
      { name: s.name, family, entries, entriesJson, count: s.endpoints.length },
      { revision: this.store.etcd.revision + 1, generation, created, trigger, now: this.sim.now },
      type,
    );
    return { state: s, created, generation, bytes };
  }

  private write(svc: Service, s: SliceState, type: WatchType, trigger: number): boolean {
    const list = this.slices[svc.index];
    const at = list.findIndex((r) => r.state.name === s.name);
    const prev = at >= 0 ? list[at] : undefined;
    const rec = this.record(svc, s, prev?.created ?? this.sim.now, (prev?.generation ?? 0) + 1, trigger, type);
    if (rec.bytes.body > this.counters.maxObjectBytes) this.counters.maxObjectBytes = rec.bytes.body;
    const outcome = this.store.write(this.key(svc, s.name), rec.bytes.body, rec.bytes.stored, "endpointslices");
    if (outcome !== "ok") {
      this.counters.rejected++;
      return false;
    }
    if (type === "ADDED") this.counters.creates++;
    else this.counters.updates++;
    this.keep(svc, rec);
    this.noteChange(svc.index, this.sink.committed(svc, rec.bytes, trigger, "endpointslices"));
    return true;
  }

  private remove(svc: Service, name: string): boolean {
    const list = this.slices[svc.index];
    const at = list.findIndex((r) => r.state.name === name);
    if (at < 0) return true;
    const rec = list[at];
    this.store.etcd.delete(this.key(svc, name));
    this.counters.deletes++;
    list.splice(at, 1);
    this.unindex(rec.state);
    this.sink.objectChanged(svc, "endpointslices", rec.bytes, undefined);
    // a deletion carries no trigger time: kube-proxy drops the Service's pending ones (endpointschangetracker.go)
    this.noteChange(svc.index, this.sink.committed(svc, rec.bytes, Number.NaN, "endpointslices", true));
    return true;
  }

  private keep(svc: Service, rec: SliceRecord): void {
    const list = this.slices[svc.index];
    const at = list.findIndex((r) => r.state.name === rec.state.name);
    if (at >= 0) {
      this.unindex(list[at].state);
      this.sink.objectChanged(svc, "endpointslices", list[at].bytes, rec.bytes);
      list[at] = rec;
    } else {
      list.push(rec);
      this.sink.objectChanged(svc, "endpointslices", undefined, rec.bytes);
    }
    const index = this.podSlice.get(rec.state.addressType as IPFamily);
    if (index === undefined) return;
    const slice = index.idOf(rec.state.name);
    for (const e of rec.state.endpoints) index.set(podOf(e), slice);
  }

  private unindex(s: SliceState): void {
    const index = this.podSlice.get(s.addressType as IPFamily);
    if (index === undefined) return;
    const slice = index.idOf(s.name);
    for (const e of s.endpoints) index.clear(podOf(e), slice);
  }
}

/** pod -> the slice holding its endpoint, for one address family: pod ids are cluster-wide, slice names interned. */
class PodSliceIndex {
  private sliceOf = new Int32Array(1024).fill(-1);
  private readonly ids = new Map<string, number>();
  private readonly names: string[] = [];

  idOf(name: string): number {
    let id = this.ids.get(name);
    if (id === undefined) {
      id = this.names.length;
      this.ids.set(name, id);
      this.names.push(name);
    }
    return id;
  }

  get(pod: number): string | undefined {
    const id = pod < this.sliceOf.length ? this.sliceOf[pod] : -1;
    return id < 0 ? undefined : this.names[id];
  }

  set(pod: number, slice: number): void {
    if (pod >= this.sliceOf.length) this.sliceOf = growInt32(this.sliceOf, Math.max(pod + 1, this.sliceOf.length * 2), -1);
    this.sliceOf[pod] = slice;
  }

  /** Forgets the pod's slice if it is still `slice`. */
  clear(pod: number, slice: number): void {
    if (pod < this.sliceOf.length && this.sliceOf[pod] === slice) this.sliceOf[pod] = -1;
  }
}

interface EndpointStateCache {
  version: Int32Array;
  slot: Int32Array;
  state: PodEndpoint[];
}

/** An endpoint as this controller makes it: its pod's id kept beside the `<pod>:<address slot>` id string. */
interface PodEndpoint extends EndpointState {
  readonly pod: number;
}

/**
 * Endpoint ids are `<pod>:<address slot>`: a new address is a new endpoint, as Kubernetes hashes addresses. The
 * algorithms hand back the endpoint objects they were given, so the pod is read off them (parsed only otherwise).
 */
export function podOf(e: EndpointState): number {
  const pod = (e as Partial<PodEndpoint>).pod;
  return pod !== undefined ? pod : parseInt(e.id, 10);
}
