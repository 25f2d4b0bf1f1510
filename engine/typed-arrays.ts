/** Growing struct-of-arrays storage: copies into a larger array, the new tail filled with `fill`. */

export function growFloat64(a: Float64Array<ArrayBuffer>, capacity: number, fill = 0): Float64Array<ArrayBuffer> {
  const b = new Float64Array(capacity);
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}

export function growInt32(a: Int32Array<ArrayBuffer>, capacity: number, fill = 0): Int32Array<ArrayBuffer> {
  const b = new Int32Array(capacity);
  if (fill !== 0) b.fill(fill, a.length);
  b.set(a);
  return b;
}

export function growUint8(a: Uint8Array<ArrayBuffer>, capacity: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(capacity);
  b.set(a);
  return b;
}
