// LocalHost.readChunks: a file in pieces read on the thread pool, the next piece read ahead,
// against Node's own read of the same file.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LocalHost } from '../../main/hosts/local-host.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();

async function readAll(host: LocalHost, path: string, limit: number): Promise<{ text: string; pieces: number }> {
  const decoder = new TextDecoder();
  let text = '';
  let pieces = 0;
  for await (const piece of host.readChunks(path, limit)) {
    text += decoder.decode(piece, { stream: true });
    pieces++;
  }
  return { text: text + decoder.decode(), pieces };
}

/** vmlinux's own symbols: the lines of loaded modules and BPF programs come and go between reads. */
const vmlinuxLines = (text: string) => text.split('\n').filter((line) => line !== '' && !line.includes('\t['));

describe.skipIf(skip)('LocalHost.readChunks', () => {
  const host = new LocalHost();

  it('reads /proc/kallsyms whole, in pieces, as Node reads it', async () => {
    const { text, pieces } = await readAll(host, '/proc/kallsyms', 64 << 20);
    expect(pieces).toBeGreaterThan(10);
    expect(vmlinuxLines(text)).toEqual(vmlinuxLines(readFileSync('/proc/kallsyms', 'utf8')));
  });

  it('reads a file smaller than a piece, and one that is empty', async () => {
    const osrelease = readFileSync('/proc/sys/kernel/osrelease', 'utf8');
    expect(await readAll(host, '/proc/sys/kernel/osrelease', 4096)).toEqual({ text: osrelease, pieces: 1 });
    expect(await readAll(host, '/dev/null', 4096)).toEqual({ text: '', pieces: 0 });
  });

  it('closes the file when the reader stops early, and refuses a file past its limit', async () => {
    const fds = () => readdirSync('/proc/self/fd').length;
    const before = fds();
    for await (const piece of host.readChunks('/proc/kallsyms', 64 << 20)) {
      expect(piece.byteLength).toBeGreaterThan(0);
      break;
    }
    await expect(readAll(host, '/proc/kallsyms', 100_000)).rejects.toMatchObject({ code: 'EFBIG' });
    // The read ahead holds its own fd until it completes.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fds()).toBe(before);
  });
});
