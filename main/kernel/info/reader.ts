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
    if (!this.has(offset, size)) return undefined;
    return cString(this.bytes.subarray(offset, offset + size));
  }

  /** Raw bytes of a fixed-size field (e.g. `tag[8]`). */
  slice(offset: number, size: number): Uint8Array | undefined {
    return this.has(offset, size) ? this.bytes.slice(offset, offset + size) : undefined;
  }
}

/**
 * The text before the first NUL (the whole buffer if there is none), decoded as UTF-8. Found by
 * a loop, not indexOf: on a Buffer that is a call into C++ per name, 4 ms of a 1,000-program list.
 */
export function cString(bytes: Uint8Array): string {
  let end = 0;
  while (end < bytes.length && bytes[end] !== 0) end++;
  return decoder.decode(end === bytes.length ? bytes : bytes.subarray(0, end));
}

/** Each byte's two lowercase hex digits. */
const HEX_DIGITS: readonly string[] = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/** Lowercase hex of bytes, e.g. a program tag (a listing makes one per program: no string per digit pair). */
export function hex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX_DIGITS[bytes[i]!];
  return out;
}
