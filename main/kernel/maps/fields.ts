// Numeric fields of a map value that can be charted and turned into rates: the byte-aligned
// integer leaves of its BTF type (counters, sizes, timestamps), or the whole value when the
// map has no BTF and the value is a plain 1-, 2-, 4- or 8-byte integer.
import { ValueFormatter, type Btf, type ValueNode } from '../btf/index.js';

export interface NumericField {
  /** `calls`, `origin.x`, `path[2].y`; `value` for a whole untyped value. */
  path: string;
  /** Byte offset within one value (one CPU's slot for per-CPU maps). */
  offset: number;
  size: 1 | 2 | 4 | 8;
  signed: boolean;
}

/** Fields kept per value type; a struct with more leaves is charted by its first ones. */
export const MAX_NUMERIC_FIELDS = 256;
const INT_SIZES = new Set([1, 2, 4, 8]);

export function numericFields(btf: Btf | undefined, valueTypeId: number, valueSize: number): NumericField[] {
  if (!btf || !valueTypeId) {
    return INT_SIZES.has(valueSize) ? [{ path: 'value', offset: 0, size: valueSize as NumericField['size'], signed: false }] : [];
  }
  const root = new ValueFormatter(btf).format(valueTypeId, new Uint8Array(valueSize));
  const fields: NumericField[] = [];
  const walk = (node: ValueNode, path: string): void => {
    if (fields.length >= MAX_NUMERIC_FIELDS) return;
    if (node.children) {
      for (const child of node.children) {
        const sep = child.name.startsWith('[') || path === '' ? '' : '.';
        walk(child, path + sep + child.name);
      }
      return;
    }
    if (node.kind !== 'int' || node.repr !== 'dec' || node.bitOffset !== 0 || !INT_SIZES.has(node.size) || node.bitSize !== node.size * 8) return;
    const resolved = btf.resolve(node.typeId);
    const signed = resolved.kind === 'int' && resolved.signed;
    fields.push({ path: path || 'value', offset: node.offset, size: node.size as NumericField['size'], signed });
  };
  walk(root, '');
  return fields;
}

/** A field's value as a double (u64 counters beyond 2^53 lose low bits, which rates tolerate). */
export function readField(view: DataView, base: number, field: NumericField): number {
  const at = base + field.offset;
  switch (field.size) {
    case 1:
      return field.signed ? view.getInt8(at) : view.getUint8(at);
    case 2:
      return field.signed ? view.getInt16(at, true) : view.getUint16(at, true);
    case 4:
      return field.signed ? view.getInt32(at, true) : view.getUint32(at, true);
    case 8: {
      const lo = view.getUint32(at, true);
      const hi = field.signed ? view.getInt32(at + 4, true) : view.getUint32(at + 4, true);
      return hi * 4294967296 + lo;
    }
  }
}

export interface CpuSpread {
  sum: number;
  min: number;
  max: number;
}

/** sum/min/max of a field over the per-CPU slots of one value. */
export function perCpuSpread(view: DataView, base: number, slot: number, cpus: number, field: NumericField): CpuSpread {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let cpu = 0; cpu < cpus; cpu++) {
    const v = readField(view, base + cpu * slot, field);
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return cpus > 0 ? { sum, min, max } : { sum: 0, min: 0, max: 0 };
}
