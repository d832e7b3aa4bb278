// Names in the C printer's output. Names that several types share get ___2, ___3 … in the
// order they are first printed, as libbpf's btf_dump does: struct/union/enum tags in one
// namespace, typedefs and enumerators in another. A name is settled the first time it is
// printed and printed the same way afterwards.

import { latin1At } from './c-layout.js';
import { NameCounts } from './name-counts.js';
import type { BtfRecords } from './records.js';
import type { TextOut } from './text-out.js';
import * as Kind from './kind.js';

/** A deduplicated name is formatted into a 256-byte buffer (255 bytes and the NUL). */
const MAX_DEDUP_NAME = 255;

export class CNames {
  private readonly w: Uint32Array;
  private readonly start: Uint32Array;
  readonly strings: Uint8Array;
  /** Per type: 0 unsettled, 1 its own name, n its name with ___n. */
  private readonly typeDup: Uint32Array;
  private readonly identDup: Uint32Array;
  private readonly typeNames: NameCounts;
  private readonly identNames: NameCounts;

  constructor(records: BtfRecords, private readonly out: TextOut) {
    this.w = records.words;
    this.start = records.start;
    this.strings = records.strings;
    this.typeDup = new Uint32Array(records.typeCount);
    this.identDup = new Uint32Array(records.typeCount);
    // Room for about as many names as half the types, so that vmlinux's fit without growing.
    const slots = 2 ** Math.ceil(Math.log2(Math.max(1024, records.typeCount / 2)));
    this.typeNames = new NameCounts(records.strings, slots);
    this.identNames = new NameCounts(records.strings, slots);
  }

  /** `off`, checked to lie in the string table. */
  at(off: number): number {
    if (off >= this.strings.length) throw new Error(`name offset ${off} past the string table`);
    return off;
  }

  isEmpty(off: number): boolean {
    return this.strings[this.at(off)] === 0;
  }

  /** The name at `off` as Latin-1 characters, to compare with names libbpf knows. */
  text(off: number): string {
    return latin1At(this.strings, this.at(off));
  }

  /** Whether the name at `off` is `name` (ASCII), compared without making a string. */
  is(off: number, name: string): boolean {
    const strings = this.strings;
    const at = this.at(off);
    const n = name.length;
    if (at + n >= strings.length || strings[at + n] !== 0) return false;
    for (let i = 0; i < n; i++) if (strings[at + i] !== name.charCodeAt(i)) return false;
    return true;
  }

  /** The name at `off`, byte for byte. */
  write(off: number): void {
    this.out.cstring(this.strings, this.at(off));
  }

  /** How many types so far share the tag of struct/union/enum/fwd `id` (settling it). */
  settleType(id: number): number {
    return this.settle(id, this.typeDup, this.typeNames);
  }

  /** How many typedefs and enumerators so far share the name of typedef `id` (settling it). */
  settleIdent(id: number): number {
    return this.settle(id, this.identDup, this.identNames);
  }

  /** One more enumerator named by `off`: how many share its name now. */
  claimEnumerator(off: number): number {
    return this.identNames.claim(this.at(off));
  }

  private settle(id: number, dup: Uint32Array, names: NameCounts): number {
    let n = dup[id]!;
    if (n !== 0) return n;
    const s = this.start[id]!;
    const off = this.w[s]!;
    const info = this.w[s + 1]!;
    const kind = (info >>> 24) & 0x1f;
    // Forward declarations and empty enums keep their own name, and count for nothing.
    n = off === 0 || kind === Kind.Fwd || (kind === Kind.Enum && (info & 0xffff) === 0) ? 1 : names.claim(this.at(off));
    dup[id] = n;
    return n;
  }

  /** A struct/union/enum tag, deduplicated. */
  typeName(id: number): void {
    this.writeDeduplicated(this.w[this.start[id]!]!, this.settleType(id));
  }

  /** A typedef name, deduplicated. */
  identName(id: number): void {
    this.writeDeduplicated(this.w[this.start[id]!]!, this.settleIdent(id));
  }

  private writeDeduplicated(off: number, n: number): void {
    const out = this.out;
    if (n === 1) {
      out.cstring(this.strings, this.at(off));
      return;
    }
    const from = out.pos;
    out.cstring(this.strings, this.at(off), MAX_DEDUP_NAME);
    out.ascii('___');
    out.u32(n);
    if (out.pos - from > MAX_DEDUP_NAME) out.pos = from + MAX_DEDUP_NAME;
  }
}
