/**
 * A packing algorithm plugin, as simple as one can be and still correct: keep every endpoint where it is, drop the
 * ones no longer desired, put new ones into the first slice with room, open a slice when none has any, and delete
 * slices that end up empty. It needs no import: the default export is a plain object.
 *
 *   controller: { algorithm: "../examples/algorithms/first-fit.ts" }     (in a scenario under scenarios/)
 *   npx bench verify-algorithm examples/algorithms/first-fit.ts
 */
interface Endpoint {
  id: string;
  ready: boolean;
  serving: boolean;
  terminating: boolean;
  nodeName?: string;
  zone?: string;
}

const same = (a: Endpoint, b: Endpoint): boolean =>
  a.ready === b.ready && a.serving === b.serving && a.terminating === b.terminating && a.nodeName === b.nodeName && a.zone === b.zone;

export default {
  name: "first-fit",
  description: "endpoints stay where they are; new ones go into the first slice with room",
  reconcile(input: { maxEndpointsPerSlice: number; existing: { name: string; endpoints: Endpoint[] }[]; desired: Endpoint[] }) {
    const max = input.maxEndpointsPerSlice;
    const desired = new Map(input.desired.map((e) => [e.id, e]));
    const placed = new Set<string>();
    const slices = input.existing.map((s) => {
      // keep what is still desired (once), and notice when anything about this slice changes
      const kept: string[] = [];
      let changed = false;
      for (const e of s.endpoints) {
        const want = desired.get(e.id);
        if (want === undefined || placed.has(e.id) || kept.length === max) {
          changed = true;
          continue;
        }
        if (!same(e, want)) changed = true;
        kept.push(e.id);
        placed.add(e.id);
      }
      return { name: s.name, endpoints: kept, changed };
    });
    const created: { endpoints: string[] }[] = [];
    for (const e of input.desired) {
      if (placed.has(e.id)) continue;
      placed.add(e.id);
      const target = slices.find((s) => s.endpoints.length < max) ?? created.find((s) => s.endpoints.length < max);
      if (target !== undefined) {
        target.endpoints.push(e.id);
        if ("changed" in target) target.changed = true;
      } else created.push({ endpoints: [e.id] });
    }
    return {
      create: created,
      update: slices.filter((s) => s.changed && s.endpoints.length > 0).map((s) => ({ name: s.name, endpoints: s.endpoints })),
      delete: slices.filter((s) => s.endpoints.length === 0).map((s) => s.name),
    };
  },
};
