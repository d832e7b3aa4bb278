// Reading a file a user or a client named (a snapshot, an object file): only a regular file,
// at most `limit` bytes, and its first bytes checked before the rest is read, so /dev/zero, a
// FIFO, /dev/urandom or a 50 GB log fail at once with a message instead of being read until
// memory runs out.
import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { HostError } from './host-error.js';

export interface BoundedReadOptions {
  /** Largest size accepted, in bytes. */
  limit: number;
  /** What the file should be, for messages: 'a bpfscope snapshot', 'a BPF object file'. */
  what: string;
  /** Error code for a file that is not what it should be (ESNAPSHOT, EOBJFILE). */
  code: string;
  /** Why the first bytes (up to HEAD_BYTES, fewer for a shorter file) are not such a file; undefined when they may be. */
  checkHead(head: Uint8Array): string | undefined;
}

export interface BoundedFile {
  bytes: Uint8Array;
  mtimeMs: number;
}

/** Enough for any magic number we check. */
export const HEAD_BYTES = 64;

/** What a file that is not a regular one is, for messages. */
export function kindOf(info: Stats): string {
  if (info.isDirectory()) return 'a directory';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isFIFO()) return 'a FIFO';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

function sizeText(bytes: number): string {
  return bytes >= 1 << 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : bytes >= 1 << 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${bytes} bytes`;
}

function ioError(path: string, error: NodeJS.ErrnoException): HostError {
  return new HostError({ code: error.code ?? 'EIO', message: `${path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}` });
}

export async function readBoundedFile(path: string, options: BoundedReadOptions): Promise<BoundedFile> {
  const refuse = (why: string): HostError => new HostError({ code: options.code, message: `${path}: ${why}` });
  // stat before open: opening a FIFO for reading would wait for a writer.
  const before = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw ioError(path, error);
  });
  if (!before.isFile()) throw refuse(`${kindOf(before)}, not ${options.what} (only regular files are read)`);
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY).catch((error: NodeJS.ErrnoException) => {
    throw ioError(path, error);
  });
  try {
    // The file may have been replaced between stat and open: decide on what was opened.
    const info = await handle.stat();
    if (!info.isFile()) throw refuse(`${kindOf(info)}, not ${options.what} (only regular files are read)`);
    if (info.size > options.limit) throw refuse(`${sizeText(info.size)}, larger than ${options.what} may be (${sizeText(options.limit)})`);
    const head = new Uint8Array(Math.min(HEAD_BYTES, info.size));
    const { bytesRead: headRead } = await handle.read(head, 0, head.length, 0);
    const wrong = options.checkHead(head.subarray(0, headRead));
    if (wrong) throw refuse(wrong);
    // One byte more than the size stat gave tells a file that grew meanwhile.
    const bytes = new Uint8Array(info.size + 1);
    let filled = 0;
    while (filled < bytes.length) {
      const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > info.size) throw refuse('changed size while it was read');
    return { bytes: bytes.subarray(0, filled), mtimeMs: info.mtimeMs };
  } catch (error) {
    if (error instanceof HostError) throw error;
    throw ioError(path, error as NodeJS.ErrnoException);
  } finally {
    await handle.close();
  }
}
