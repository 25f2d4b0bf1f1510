/** The size of a sensitivity study, read off its sensitivity.csv: variants x settings (base, and each parameter's levels). */
export function studySize(csv: string): { variants: number; settings: number } {
  const rows = csv.trim().split("\n").slice(1).map(csvFields);
  return {
    variants: new Set(rows.map((r) => r[1])).size,
    settings: new Set(rows.map((r) => `${r[2]}\u0000${r[3]}`)).size,
  };
}

/** The fields of one CSV line (RFC 4180: a quoted field may hold commas and doubled quotes; variant labels hold commas). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c !== '"') field += c;
      else if (line[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(field);
      field = "";
    } else field += c;
  }
  out.push(field);
  return out;
}
