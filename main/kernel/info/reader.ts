// Little-endian field reads from an info struct of any length: the kernel returns as many bytes
// as it knows (older kernels: fewer), so a field that does not fit is `undefined`, never an error.

const decoder = new TextDecoder('utf-8', { fatal: false });

/** Reads fixed-offset fields of one kernel-written struct; out-of-range fields are undefined. */
export class InfoReader {
  private readonly view: DataView;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  has(offset: number, size: number): boolean {
    return offset + size <= this.bytes.byteLength;
  }

  u32(offset: number): number | undefined {
    return this.has(offset, 4) ? this.view.getUint32(offset, true) : undefined;
  }

  s32(offset: number): number | undefined {
    return this.has(offset, 4) ? this.view.getInt32(offset, true) : undefined;
  }

  u64(offset: number): bigint | undefined {
    return this.has(offset, 8) ? this.view.getBigUint64(offset, true) : undefined;
  }

  /** A fixed-size char array such as `name[16]`, cut at its first NUL. */
  charArray(offset: number, size: number): string | undefined {
    return this.has(offset, size) ? cStringAt(this.bytes, offset, offset + size) : undefined;
  }

  /** Lowercase hex of a fixed-size field (e.g. `tag[8]`), read in place. */
  hex(offset: number, size: number): string | undefined {
    return this.has(offset, size) ? hexOf(this.bytes, offset, offset + size) : undefined;
  }
}

/**
 * The text before the first NUL (the whole buffer if there is none), decoded as UTF-8. Found by
 * a loop, not indexOf: on a Buffer that is a call into C++ per name, 4 ms of a 1,000-program list.
 */
export function cString(bytes: Uint8Array): string {
  return cStringAt(bytes, 0, bytes.length);
}

/** cString of bytes[start, limit), read in place. */
function cStringAt(bytes: Uint8Array, start: number, limit: number): string {
  let end = start;
  while (end < limit && bytes[end] !== 0) end++;
  return shortAscii(bytes, start, end) ?? decoder.decode(bytes.subarray(start, end));
}

/** Each byte's two lowercase hex digits. */
const HEX_DIGITS: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));
const HEX_CODES = Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/**
 * Strings of up to this many characters are made from their character codes in one step: a
 * listing makes a tag and a name per program, and built a piece at a time, each was a string
 * per piece for the garbage collector (a thousand programs' tags: 400 KB).
 */
const SHORT = 64;

/** bytes[start, end) as text when they are few and all ASCII; undefined otherwise. */
function shortAscii(bytes: Uint8Array, start: number, end: number): string | undefined {
  if (end - start > SHORT) return undefined;
  const codes = new Array<number>(end - start);
  for (let i = start; i < end; i++) {
    const c = bytes[i]!;
    if (c >= 0x80) return undefined;
    codes[i - start] = c;
  }
  return String.fromCharCode.apply(null, codes);
}

function hexOf(bytes: Uint8Array, start: number, end: number): string {
  if (2 * (end - start) > SHORT) {
    let out = '';
    for (let i = start; i < end; i++) out += HEX_DIGITS[bytes[i]!];
    return out;
  }
  const codes = new Array<number>(2 * (end - start));
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    codes[2 * (i - start)] = HEX_CODES[b >> 4]!;
    codes[2 * (i - start) + 1] = HEX_CODES[b & 15]!;
  }
  return String.fromCharCode.apply(null, codes);
}

/** Lowercase hex of bytes, e.g. a program tag. */
export function hex(bytes: Uint8Array): string {
  return hexOf(bytes, 0, bytes.length);
}
