import { globRegExp } from "../../engine/glob.js";

/** What a selector reads of a Service. */
export interface SelectableService {
  name: string;
  group: string;
  index: number;
}

/**
 * Matches Services by exact name, by group name, or by a glob with `*` over the Service name; several selectors may
 * be joined with commas. The workload acts on what it selects; scenario validation refuses a selector of nothing.
 */
export function selectServices<S extends SelectableService>(services: readonly S[], selector: string): S[] {
  if (selector.includes(",")) {
    const seen = new Set<number>();
    const out: S[] = [];
    for (const part of selector.split(",")) {
      for (const s of selectServices(services, part.trim())) {
        if (!seen.has(s.index)) {
          seen.add(s.index);
          out.push(s);
        }
      }
    }
    return out;
  }
  if (selector === "*") return [...services];
  const byGroup = services.filter((s) => s.group === selector);
  if (byGroup.length > 0) return byGroup;
  if (selector.includes("*")) {
    const re = globRegExp(selector);
    return services.filter((s) => re.test(s.name));
  }
  return services.filter((s) => s.name === selector);
}
