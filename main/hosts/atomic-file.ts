// Writes an output file (a snapshot) so that the path holds the old file or the whole new one,
// never half of it, and never becomes something other than what it named: the target must be
// absent or a regular file (a symlink to one is followed, so the link stays). A device such as
// /dev/full, a FIFO or a directory is refused before anything is written; it used to be
// replaced by a regular file. Every write error (ENOSPC, EIO) reaches the caller, and the
// temporary file beside the target is removed.
import { randomBytes } from 'node:crypto';
import { createWriteStream, type Stats } from 'node:fs';
import { once } from 'node:events';
import { open, realpath, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { kindOf } from './bounded-file.js';
import { HostError } from './host-error.js';

/** The file to replace (symlinks resolved) and its mode; the target itself when it does not exist yet.
 * Throws ENOTREG for a target that is not a regular file: call it early, before long work. */
export async function outputTarget(path: string): Promise<{ file: string; mode: number }> {
  let info: Stats;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return { file: path, mode: 0o644 };
  }
  if (!info.isFile()) {
    throw new HostError({
      code: 'ENOTREG',
      message: `${path}: ${kindOf(info)}: bpfscope writes its output to a regular file, which it replaces whole once written, and will not replace ${kindOf(info)}`,
      hint: 'name a file (new, or a regular file to replace)',
    });
  }
  return { file: await realpath(path), mode: info.mode & 0o777 };
}

/** Creates `path` through `fill`, which writes everything to the stream it is given and ends it. */
export async function writeFileAtomically(path: string, fill: (out: Writable) => Promise<void>): Promise<void> {
  const { file, mode } = await outputTarget(path);
  const temp = join(dirname(file), `.${basename(file)}.${randomBytes(6).toString('hex')}.partial`);
  // 'wx': a file of that name that appeared meanwhile is not ours to write over.
  const out = createWriteStream(temp, { flags: 'wx', mode });
  try {
    await fill(out);
    if (!out.closed) await once(out, 'close');
    // Renamed only once its bytes are on disk, so a crash leaves the old file, not an empty new one.
    const handle = await open(temp, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    // The target may have been replaced while we wrote: check again right before renaming.
    await outputTarget(path);
    await rename(temp, file);
  } catch (error) {
    // The file is opened asynchronously: removed before that open ends, it would be made
    // after. Closed first (an error of its own, such as the open failing, is beside the point).
    out.on('error', () => undefined);
    out.destroy();
    if (!out.closed) await new Promise<void>((closed) => out.once('close', () => closed()));
    await rm(temp, { force: true });
    throw error;
  }
}
