// Hand-built BTF blobs for split-BTF and bad-input tests.

export class BtfBuilder {
  private readonly words: number[] = [];
  private strings = '\0';
  private stringBytes = 1;

  /** `firstStrOff`: string offset where this blob's strings start (base string length for split BTF). */
  constructor(private readonly firstStrOff = 0) {}

  str(s: string): number {
    if (s === '') return 0;
    const off = this.firstStrOff + this.stringBytes;
    this.strings += s + '\0';
    this.stringBytes += new TextEncoder().encode(s).length + 1;
    return off;
  }

  /** A raw type record: name, kind, vlen, kind_flag, size-or-type, then trailing u32 words. */
  type(name: string, kind: number, vlen: number, sizeOrType: number, extra: number[] = [], kflag = false): this {
    this.words.push(this.str(name), ((kflag ? 1 : 0) << 31 | kind << 24 | vlen) >>> 0, sizeOrType >>> 0, ...extra.map((w) => w >>> 0));
    return this;
  }

  /** The blob, little-endian unless `bigEndian` (as a big-endian target's BTF). */
  build(bigEndian = false): Uint8Array {
    const le = !bigEndian;
    const types = new Uint8Array(this.words.length * 4);
    const view = new DataView(types.buffer);
    this.words.forEach((w, i) => view.setUint32(i * 4, w, le));
    const strBytes = new TextEncoder().encode(this.strings);
    const out = new Uint8Array(24 + types.length + strBytes.length);
    const h = new DataView(out.buffer);
    h.setUint16(0, 0xeb9f, le);
    h.setUint8(2, 1);
    h.setUint32(4, 24, le);
    h.setUint32(8, 0, le);
    h.setUint32(12, types.length, le);
    h.setUint32(16, types.length, le);
    h.setUint32(20, strBytes.length, le);
    out.set(types, 24);
    out.set(strBytes, 24 + types.length);
    return out;
  }
}
