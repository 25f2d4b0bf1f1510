import type { Results } from "../engine/results.js";
import { rankVariants } from "./ranking.js";
import { humanNumber, pivot } from "./table.js";

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

/** report.html: one self-contained file (no scripts, no network), every printed text escaped. */
export function toHtml(results: Results): string {
  const { variants, lines } = pivot(results);
  const e = escapeHtml;
  const head = `<tr><th>metric</th><th>unit</th>${variants.map((v) => `<th>${e(v)}</th>`).join("")}</tr>`;
  const rows = lines
    .map((l) => `<tr><td>${e(l.metric)}</td><td>${e(l.unit)}</td>${l.values.map((v) => `<td class="n">${e(humanNumber(v))}</td>`).join("")}</tr>`)
    .join("\n");
  const rankings = rankVariants(results).filter((r) => r.places.length > 0);
  const rankingHtml =
    rankings.length === 0
      ? ""
      : `<h2>Ranking</h2>\n` +
        rankings
          .map(
            (r) =>
              `<h3>${e(r.rule.metric)} (${e(r.rule.better)} is better, ${e(r.unit)})</h3>\n<table><tr><th>#</th><th>variant</th><th>value</th></tr>\n` +
              r.places.map((p) => `<tr><td>${p.rank}</td><td>${e(p.variant)}</td><td class="n">${e(humanNumber(p.value))}</td></tr>`).join("\n") +
              "\n</table>",
          )
          .join("\n");
  const assumptions = (results.assumptions ?? []).map((a) => `<li><b>${e(a.name)}</b> = ${e(a.value)}: ${e(a.why)}</li>`).join("\n");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${e(results.scenario)} — k8s-netscale</title>
<style>body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px}td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}</style>
</head><body>
<h1>${e(results.scenario)}</h1>
<p>seed ${e(String(results.seed))}, ${variants.length} variant(s)</p>
${rankingHtml}
<h2>Results</h2>
<table>
${head}
${rows}
</table>
<h2>Assumptions</h2>
${assumptions === "" ? "<p>None declared.</p>" : `<ul>\n${assumptions}\n</ul>`}
</body></html>
`;
}
