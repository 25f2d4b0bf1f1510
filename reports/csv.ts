import { stringify } from "csv-stringify/sync";
import { RESULT_COLUMNS, type Results } from "./results.js";

/** results.csv: header exactly `scenario,variant,seed,metric,unit,value`, one row per result, in table order. */
export function toCsv(results: Results): string {
  return stringify(
    results.rows.map((r) => [r.scenario, r.variant, r.seed, r.metric, r.unit, formatNumber(r.value)]),
    { header: true, columns: [...RESULT_COLUMNS], record_delimiter: "unix" },
  );
}

/** Shortest round-trip text of a number (deterministic), with -0 written as 0. */
export function formatNumber(v: number): string {
  if (Object.is(v, -0)) return "0";
  if (!Number.isFinite(v)) throw new RangeError(`a result value must be finite, got ${v}`);
  return String(v);
}
