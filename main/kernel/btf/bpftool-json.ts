// Render a value tree exactly as bpftool v7.1 prints it in `map dump -j` (its btf_dumper.c
// and json_writer.c), quirks included: `\` is written as `\n`, `'` and printable chars are
// written raw, floats and functions stop the dump with "(unsupported-kind".

import type { ValueNode } from './value.js';
import { bpftoolHexArray } from './bpftool-map-json.js';

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A JSON string as bpftool's jsonw_puts writes it. */
export function bpftoolString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    switch (c) {
      case '\t': out += '\\t'; break;
      case '\n': out += '\\n'; break;
      case '\r': out += '\\r'; break;
      case '\f': out += '\\f'; break;
      case '\b': out += '\\b'; break;
      case '\\': out += '\\n'; break;
      case '"': out += '\\"'; break;
      default: out += c;
    }
  }
  return out + '"';
}


export interface BpftoolJson {
  text: string;
  /** False where bpftool's dumper returns an error: the text then ends where bpftool stops. */
  ok: boolean;
}

class Writer {
  text = '';
  ok = true;

  constructor(private readonly bytes: Uint8Array) {}

  value(n: ValueNode): void {
    switch (n.repr) {
      case 'dec': case 'ptr':
        this.text += String(n.value);
        return;
      case 'hex':
        this.text += '"0x' + BigInt.asUintN(n.bitSize, BigInt(n.value as number | bigint)).toString(16) + '"';
        return;
      case 'char': {
        const c = n.value as number;
        this.text += c >= 0x20 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `"\\u00${HEX2[c]}"`;
        return;
      }
      case 'bool': {
        // bpftool reads an int where the bool is, so the 3 bytes after it count too.
        let v = false;
        for (let i = n.offset; i < n.offset + 4 && i < this.bytes.length; i++) v ||= this.bytes[i] !== 0;
        this.text += v ? 'true' : 'false';
        return;
      }
      case 'enum':
        this.text += typeof n.value === 'string' ? bpftoolString(n.value) : String(n.value);
        return;
      case 'string':
        this.text += bpftoolString(n.value as string);
        return;
      case 'void':
        this.text += '(unknown)';
        return;
      case 'fwd':
        this.text += '(fwd-kind-invalid)';
        this.ok = false;
        return;
      case 'float': case 'unsupported':
        this.text += '(unsupported-kind';
        this.ok = false;
        return;
      case 'badint':
        this.ok = false;
        return;
      case 'error':
        this.text += bpftoolHexArray(this.bytes, n.offset, n.size);
        return;
      case 'struct': case 'union':
        this.text += '{';
        this.members(n.children ?? []);
        this.text += '}';
        return;
      case 'array': {
        this.text += '[';
        const children = n.children ?? [];
        for (let i = 0; i < children.length && this.ok; i++) {
          if (i) this.text += ',';
          this.value(children[i]!);
        }
        this.text += ']';
        return;
      }
      case 'datasec': {
        this.text += '{' + bpftoolString(String(n.value)) + ':[';
        const children = n.children ?? [];
        for (let i = 0; i < children.length && this.ok; i++) {
          if (i) this.text += ',';
          this.value(children[i]!);
        }
        this.text += ']}';
        return;
      }
      case 'var':
        this.text += '{';
        this.members(n.children ?? []);
        this.text += '}';
        return;
    }
  }

  private members(children: readonly ValueNode[]): void {
    for (let i = 0; i < children.length && this.ok; i++) {
      const c = children[i]!;
      this.text += (i ? ',' : '') + bpftoolString(c.name) + ':';
      this.value(c);
    }
  }
}

/** The bpftool JSON text of one value tree; `bytes` is the buffer the tree was formatted from. */
export function bpftoolJson(node: ValueNode, bytes: Uint8Array): BpftoolJson {
  const w = new Writer(bytes);
  w.value(node);
  return { text: w.text, ok: w.ok };
}
