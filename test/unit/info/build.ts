// Builds info byte buffers the way the kernel writes them: little-endian fields at offsets.

export type Field = [offset: number, kind: 'u32' | 's32' | 'u64' | 'bytes', value: number | bigint | Uint8Array];

export function build(size: number, fields: Field[]): Uint8Array {
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  for (const [offset, kind, value] of fields) {
    if (kind === 'u32') view.setUint32(offset, Number(value), true);
    else if (kind === 's32') view.setInt32(offset, Number(value), true);
    else if (kind === 'u64') view.setBigUint64(offset, BigInt(value as number | bigint), true);
    else bytes.set(value as Uint8Array, offset);
  }
  return bytes;
}

export function text(s: string, size = s.length + 1): Uint8Array {
  const out = new Uint8Array(size);
  out.set(new TextEncoder().encode(s));
  return out;
}

export function u64s(values: bigint[]): Uint8Array {
  return build(values.length * 8, values.map((v, i) => [i * 8, 'u64', v] as Field));
}
