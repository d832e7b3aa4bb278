// Map entries as the rows the UI shows: key and value(s) decoded with the map's BTF
// into JSON-safe trees (hex when there is no BTF), and map-in-map / prog-array slots
// as references to the object they hold.
import type { MapRow, TreeNode } from '../api/view-records.js';
import { MAX_TREE_DEPTH } from '../api/view-records.js';
import { ValueFormatter, type Btf, type ValueNode } from '../kernel/btf/index.js';
import { mapAccess } from '../kernel/maps/map-kind.js';
import type { MapLayout } from '../hosts/map-stream.js';

/** Nodes per formatted value: enough for any real struct, bounded for hostile BTF. */
const MAX_NODES = 4096;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]!];
  return s;
}

export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function scalar(value: ValueNode['value']): TreeNode['value'] {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  return value;
}

/** A decoded value as a JSON-safe tree, depth-limited. */
export function treeOf(node: ValueNode, depth = 0): TreeNode {
  const out: TreeNode = { name: node.name, type: node.typeName, display: node.display };
  const value = scalar(node.value);
  if (value !== undefined) out.value = value;
  if (node.children && node.children.length > 0 && depth < MAX_TREE_DEPTH) out.children = node.children.map((c) => treeOf(c, depth + 1));
  return out;
}

function hexNode(name: string, bytes: Uint8Array): TreeNode {
  const parts: string[] = [];
  for (let i = 0; i < bytes.length; i++) parts.push(HEX[bytes[i]!]!);
  return { name, type: '', display: parts.join(' ') };
}

export interface RowTypes {
  btf?: Btf;
  keyTypeId?: number;
  valueTypeId?: number;
}

export class MapRowBuilder {
  private readonly formatter: ValueFormatter | undefined;
  private readonly slot: number;
  private readonly refKind: 'map' | 'prog' | undefined;

  constructor(
    readonly layout: MapLayout,
    private readonly types: RowTypes,
  ) {
    this.formatter = types.btf ? new ValueFormatter(types.btf, { maxNodes: MAX_NODES }) : undefined;
    this.slot = layout.perCpu ? layout.stride / layout.cpus : layout.valueSize;
    const access = mapAccess(layout.info.type);
    this.refKind = access.kind === 'map-ids' ? 'map' : access.kind === 'prog-ids' ? 'prog' : undefined;
  }

  get keyType(): string {
    return this.typeName(this.types.keyTypeId, this.layout.keySize);
  }

  get valueType(): string {
    return this.typeName(this.types.valueTypeId, this.layout.valueSize);
  }

  private typeName(id: number | undefined, size: number): string {
    if (this.formatter && id) return this.formatter.format(id, new Uint8Array(size)).typeName;
    return `${size} bytes`;
  }

  private decode(name: string, typeId: number | undefined, bytes: Uint8Array): TreeNode {
    if (this.formatter && typeId) return treeOf(this.formatter.format(typeId, bytes, 0, name));
    return hexNode(name, bytes);
  }

  key(key: Uint8Array): TreeNode {
    return this.decode('key', this.types.keyTypeId, key);
  }

  /** `value`: the bytes of one entry (per-CPU: every CPU's slot). */
  row(key: Uint8Array, value: Uint8Array | undefined): MapRow {
    const row: MapRow = { keyHex: toHex(key), key: this.key(key) };
    if (!value) return row;
    const { cpus, valueSize } = this.layout;
    const values: TreeNode[] = [];
    for (let cpu = 0; cpu < cpus; cpu++) {
      const bytes = value.subarray(cpu * this.slot, cpu * this.slot + valueSize);
      values.push(this.decode(this.layout.perCpu ? `cpu${cpu}` : 'value', this.types.valueTypeId, bytes));
    }
    row.values = values;
    if (this.refKind && valueSize >= 4) {
      const id = new DataView(value.buffer, value.byteOffset, 4).getUint32(0, true);
      if (id > 0) row.ref = { kind: this.refKind, id };
    }
    return row;
  }

  /** All the text a filter matches against: every display and name in key and value. */
  searchText(row: MapRow): string {
    const parts: string[] = [row.keyHex];
    const walk = (node: TreeNode, depth: number): void => {
      parts.push(node.display);
      if (depth < MAX_TREE_DEPTH) for (const child of node.children ?? []) walk(child, depth + 1);
    };
    walk(row.key, 0);
    for (const v of row.values ?? []) walk(v, 0);
    return parts.join('\n').toLowerCase();
  }
}
