// Broken on purpose (bench verify-algorithm's tests): never rewrites a slice whose endpoints are all still desired,
// so a readiness change stays unpublished.
interface Endpoint {
  id: string;
}

export default {
  name: "keeps-stale",
  reconcile(input: { maxEndpointsPerSlice: number; existing: { name: string; endpoints: Endpoint[] }[]; desired: Endpoint[] }) {
    const desired = new Set(input.desired.map((e) => e.id));
    const placed = new Set<string>();
    const update: { name: string; endpoints: string[] }[] = [];
    const del: string[] = [];
    for (const s of input.existing) {
      const kept = s.endpoints.map((e) => e.id).filter((id) => desired.has(id) && !placed.has(id));
      kept.forEach((id) => placed.add(id));
      if (kept.length === 0) del.push(s.name);
      else if (kept.length !== s.endpoints.length) update.push({ name: s.name, endpoints: kept });
    }
    const rest = input.desired.map((e) => e.id).filter((id) => !placed.has(id));
    const create = [];
    for (let i = 0; i < rest.length; i += input.maxEndpointsPerSlice) create.push({ endpoints: rest.slice(i, i + input.maxEndpointsPerSlice) });
    return { create, update, delete: del };
  },
};
