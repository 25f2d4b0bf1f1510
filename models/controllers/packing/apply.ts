import type { SlicePlan, SliceState } from "./types.js";

/**
 * The Service's slices after the plan's API calls succeed: existing order kept (updated slices in place, deleted ones
 * dropped), then the created slices in create order. Throws on a plan that the API server would reject or that
 * names a slice twice: an update or delete of a missing slice, a create of a name in use, a slice both updated and
 * deleted.
 */
export function applyPlan(existing: readonly SliceState[], plan: Pick<SlicePlan, "creates" | "updates" | "deletes">): SliceState[] {
  const byName = new Map<string, SliceState>();
  for (const s of existing) {
    if (byName.has(s.name)) throw new Error(`applyPlan: duplicate existing slice "${s.name}"`);
    byName.set(s.name, s);
  }
  const updated = new Map<string, SliceState>();
  for (const u of plan.updates) {
    if (!byName.has(u.name)) throw new Error(`applyPlan: update of missing slice "${u.name}"`);
    if (updated.has(u.name)) throw new Error(`applyPlan: slice "${u.name}" updated twice`);
    updated.set(u.name, u);
  }
  const deleted = new Set<string>();
  for (const d of plan.deletes) {
    if (!byName.has(d.name)) throw new Error(`applyPlan: delete of missing slice "${d.name}"`);
    if (deleted.has(d.name)) throw new Error(`applyPlan: slice "${d.name}" deleted twice`);
    if (updated.has(d.name)) throw new Error(`applyPlan: slice "${d.name}" both updated and deleted`);
    deleted.add(d.name);
  }
  // creates run before deletes (docs/sources.md §7.6), so a created name must not exist at all
  const created = new Set<string>();
  for (const c of plan.creates) {
    if (byName.has(c.name) || created.has(c.name)) throw new Error(`applyPlan: create of existing name "${c.name}"`);
    created.add(c.name);
  }
  const out: SliceState[] = [];
  for (const s of existing) {
    if (deleted.has(s.name)) continue;
    out.push(updated.get(s.name) ?? s);
  }
  out.push(...plan.creates);
  return out;
}
