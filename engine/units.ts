/** Byte counts and bandwidths written the way operators write them: "1.5MiB", "2GiB", "170Mi", "10Gbit/s", "1.25GB/s". */

const BYTE_UNITS: Record<string, number> = {
  B: 1,
  kB: 1e3,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
  TiB: 1024 ** 4,
  // Kubernetes quantities (resources.limits.memory: "170Mi")
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

const BIT_UNITS: Record<string, number> = { bit: 1, kbit: 1e3, Kbit: 1e3, Mbit: 1e6, Gbit: 1e9, Tbit: 1e12 };

/** "1.5MiB" -> 1572864; a plain number is bytes. Returns undefined when the text is not a byte count. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const unit = m[2] === "" ? "B" : m[2];
  const factor = BYTE_UNITS[unit];
  return factor === undefined ? undefined : Math.round(Number(m[1]) * factor);
}

/** "10Gbit/s" -> 1.25e9 bytes per second; "1.25GB/s" -> 1.25e9. Returns undefined when not a bandwidth. */
export function parseBandwidth(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([A-Za-z]+)\/s\s*$/.exec(text);
  if (!m) return undefined;
  const v = Number(m[1]);
  if (BIT_UNITS[m[2]] !== undefined) return (v * BIT_UNITS[m[2]]) / 8;
  if (BYTE_UNITS[m[2]] !== undefined) return v * BYTE_UNITS[m[2]];
  return undefined;
}

/** Human text for a byte count: 1.57 MB, 10.0 GB, 200 TB (decimal units, 3 significant digits). */
export function formatBytes(n: number): string {
  const units = ["B", "kB", "MB", "GB", "TB", "PB"];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${i === 0 ? v : Number(v.toPrecision(3))} ${units[i]}`;
}
