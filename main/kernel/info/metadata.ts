// Program metadata: the `bpf_metadata_*` variables of a program's `.rodata`, which bpftool's
// `prog show` prints under `metadata` (prog.c find_metadata/show_prog_metadata). The map is the
// first of the program's maps shaped like libbpf's .rodata; its value is one DATASEC whose
// variables with the prefix are the metadata, each printed by btf_dumper.

import type { Btf } from '../btf/btf.js';
import { ValueFormatter, type ValueNode } from '../btf/value.js';
import { ValueWriters } from '../btf/value-writer.js';
import type { JsonValue } from './json-value.js';
import type { MetadataVar } from './metadata-map.js';

/** Nodes formatted per variable: a metadata value is a string or a number, not a table. */
const MAX_NODES_PER_VALUE = 4096;

export interface MetadataEntry {
  /** The variable's name without `bpf_metadata_`. */
  name: string;
  /** As `bpftool prog show -j` prints it. */
  json: JsonValue;
  /** As `bpftool prog show` prints it after `name = `. */
  text: string;
}

/**
 * btf_dumper's plain text mode prints bitfields, 128-bit integers and pointers as bare hex where
 * JSON quotes them (a char array reading "0x1f" is unquoted too: the text cannot tell them apart).
 */
function plainText(json: string): string {
  return json.replace(/"(0x[0-9a-f]+)"(?!:)/g, '$1');
}

/** A value tree as JSON as bpftool's writer gives it, integers kept exact. */
function jsonOf(node: ValueNode, depth: number): JsonValue {
  if (depth > 32) throw new Error('metadata: value nested too deep');
  switch (node.repr) {
    case 'dec':
    case 'ptr':
      return node.value as number | bigint;
    case 'struct':
    case 'union': {
      const out: { [key: string]: JsonValue } = {};
      for (const child of node.children ?? []) out[child.name] = jsonOf(child, depth + 1);
      return out;
    }
    case 'array':
      return (node.children ?? []).map((child) => jsonOf(child, depth + 1));
    case 'string':
    case 'enum':
    case 'bool':
      return node.value as string | number | bigint | boolean;
    case 'char':
      return String.fromCharCode(node.value as number);
    default:
      // Bitfields' hex strings; `(unknown)` for void, which bpftool writes bare (no JSON value).
      return node.display;
  }
}

/**
 * The metadata in a .rodata value: its metadata variables (metadataVars) formatted. Like
 * bpftool, stops at the first variable its dumper cannot print (a float, a function pointer's
 * target).
 */
export function decodeProgMetadata(btf: Btf, vars: readonly MetadataVar[], value: Uint8Array): MetadataEntry[] {
  const formatter = new ValueFormatter(btf, { maxNodes: MAX_NODES_PER_VALUE });
  const writers = new ValueWriters(btf);
  const entries: MetadataEntry[] = [];
  for (const variable of vars) {
    const bytes = value.subarray(variable.offset, variable.offset + variable.size);
    const writer = writers.writer(variable.type, bytes.length, { text: false, depth: 0 });
    if (writer.stops || writer.error) break;
    const node = formatter.format(variable.type, value, variable.offset);
    entries.push({ name: variable.name, json: jsonOf(node, 0), text: plainText(writers.format(variable.type, bytes)) });
  }
  return entries;
}
