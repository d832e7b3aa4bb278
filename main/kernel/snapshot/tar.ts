// A minimal POSIX ustar writer and reader: regular files only, as `tar` reads and writes them.
// The reader checks every header's checksum and every size against the archive.
//
//   header (512 bytes): 0 name[100] 100 mode[8] 108 uid[8] 116 gid[8] 124 size[12]
//   136 mtime[12] 148 chksum[8] 156 typeflag 157 linkname[100] 257 "ustar\0" 263 "00"
//   265 uname[32] 297 gname[32] 329 devmajor[8] 337 devminor[8] 345 prefix[155]
//   then the data, padded to 512; the archive ends with two zero blocks.

const BLOCK = 512;
const MAX_NAME = 100;
const MAX_PREFIX = 155;
/** 11 octal digits. */
const MAX_SIZE = 8 ** 11 - 1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface TarEntry {
  readonly path: string;
  readonly data: Uint8Array;
}

function putString(header: Uint8Array, offset: number, length: number, text: string): void {
  const bytes = encoder.encode(text);
  if (bytes.length > length) throw new Error(`tar: '${text}' longer than ${length} bytes`);
  header.set(bytes, offset);
}

function putOctal(header: Uint8Array, offset: number, length: number, value: number): void {
  putString(header, offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
}

function splitPath(path: string): [prefix: string, name: string] {
  if (encoder.encode(path).length <= MAX_NAME) return ['', path];
  const cut = path.lastIndexOf('/', MAX_PREFIX);
  if (cut <= 0 || encoder.encode(path.slice(cut + 1)).length > MAX_NAME) throw new Error(`tar: path too long: ${path}`);
  return [path.slice(0, cut), path.slice(cut + 1)];
}

/** The 512-byte header of one regular file. */
export function tarHeader(path: string, size: number, mtimeSeconds: number): Uint8Array {
  if (size > MAX_SIZE) throw new Error(`tar: ${path}: ${size} bytes, more than ustar holds`);
  const header = new Uint8Array(BLOCK);
  const [prefix, name] = splitPath(path);
  putString(header, 0, MAX_NAME, name);
  putOctal(header, 100, 8, 0o644);
  putOctal(header, 108, 8, 0);
  putOctal(header, 116, 8, 0);
  putOctal(header, 124, 12, size);
  putOctal(header, 136, 12, Math.max(0, Math.floor(mtimeSeconds)));
  header.fill(0x20, 148, 156);
  header[156] = 0x30; // '0': regular file
  putString(header, 257, 6, 'ustar\0');
  putString(header, 263, 2, '00');
  putString(header, 345, MAX_PREFIX, prefix);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += header[i];
  putString(header, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return header;
}

/** Zero bytes that pad `size` bytes of data to a whole block. */
export function tarPadding(size: number): Uint8Array {
  return new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The two zero blocks that end an archive. */
export function tarEnd(): Uint8Array {
  return new Uint8Array(2 * BLOCK);
}

/** A whole archive as chunks (header, data, padding, …, end), for a streaming writer. */
export function encodeTar(entries: readonly TarEntry[], mtimeSeconds: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (const e of entries) chunks.push(tarHeader(e.path, e.data.length, mtimeSeconds), e.data, tarPadding(e.data.length));
  chunks.push(tarEnd());
  return chunks;
}

function readString(bytes: Uint8Array, offset: number, length: number): string {
  const field = bytes.subarray(offset, offset + length);
  const nul = field.indexOf(0);
  return decoder.decode(nul < 0 ? field : field.subarray(0, nul));
}

function readOctal(bytes: Uint8Array, offset: number, length: number, what: string): number {
  const text = readString(bytes, offset, length).trim();
  if (!/^[0-7]+$/.test(text)) throw new Error(`${what}: bad octal field '${text}'`);
  return parseInt(text, 8);
}

/** Every regular file of an archive, by path (views into `bytes`). */
export function decodeTar(bytes: Uint8Array): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  let at = 0;
  // Each iteration consumes at least one block, which bounds the loop by the archive's size.
  while (at + BLOCK <= bytes.length) {
    const header = bytes.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) return files;
    const what = `tar: entry at byte ${at}`;
    const stored = readOctal(header, 148, 8, `${what}: checksum`);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
    if (sum !== stored) throw new Error(`${what}: bad header checksum (damaged archive)`);
    const prefix = readString(header, 345, MAX_PREFIX);
    const name = readString(header, 0, MAX_NAME);
    const path = prefix ? `${prefix}/${name}` : name;
    const size = readOctal(header, 124, 12, `${what} (${path}): size`);
    const start = at + BLOCK;
    if (start + size > bytes.length) throw new Error(`tar: ${path}: ${size} bytes past end of archive (truncated file?)`);
    const type = header[156];
    if (type === 0x30 || type === 0) files.set(path, bytes.subarray(start, start + size));
    at = start + size + ((BLOCK - (size % BLOCK)) % BLOCK);
  }
  throw new Error('tar: archive ends without its end blocks (truncated file?)');
}
