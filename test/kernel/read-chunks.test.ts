// LocalHost.readChunks: a file in pieces read on the thread pool, pieces read ahead of the caller,
// against Node's own read of the same file.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HostSession } from '../../main/hosts/host-session.js';
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

  it('goes on reading while the caller’s thread is busy, as far as its read-ahead', async () => {
    const readerPosition = () => {
      const fd = readdirSync('/proc/self/fd').find((name) => {
        try {
          return readlinkSync(`/proc/self/fd/${name}`) === '/proc/kallsyms';
        } catch {
          return false;
        }
      });
      return fd === undefined ? -1 : Number(/^pos:\s*(\d+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))![1]);
    };
    const pieces = host.readChunks('/proc/kallsyms', 64 << 20)[Symbol.asyncIterator]();
    const first = await pieces.next();
    // The JS thread blocked for 300 ms: only the pool's thread can read meanwhile.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
    const position = readerPosition();
    await pieces.return!();
    // A piece is 64 KB; a read asked for only when the caller takes a piece would be at two.
    expect(first.value!.byteLength).toBe(64 << 10);
    expect(position).toBeGreaterThanOrEqual(8 * (64 << 10));
    // Stopped, the reader lets its file go.
    for (let waited = 0; readerPosition() >= 0 && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(readerPosition()).toBe(-1);
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

describe.skipIf(skip)('HostSession.kernelSymbols', () => {
  it('reads kallsyms once for the same query asked twice at once (a read started ahead, then the analysis), by pieces, as far as it needs', async () => {
    const local = new LocalHost();
    const reads: string[] = [];
    const host = Object.assign(Object.create(local) as LocalHost, {
      readChunks(path: string, limit: number) {
        reads.push(`chunks ${path}`);
        return local.readChunks(path, limit);
      },
      readFile(path: string, limit: number) {
        reads.push(`file ${path}`);
        return local.readFile(path, limit);
      },
    });
    const session = new HostSession(host);
    const text = readFileSync('/proc/kallsyms', 'utf8');
    const line = (name: string) => text.split('\n').find((l) => l.endsWith(` ${name}`))!;
    const base = BigInt(`0x${line('__bpf_call_base').split(' ')[0]}`);
    const lookup = BigInt(`0x${line('bpf_map_lookup_elem').split(' ')[0]}`);
    const query = { addresses: [], callBaseOffsets: [Number(lookup - base)] };
    const [first, second] = await Promise.all([session.kernelSymbols(query), session.kernelSymbols({ ...query, callBaseOffsets: [...query.callBaseOffsets] })]);
    expect(first).toBe(second);
    expect(first.symbolAt(lookup)).toBe('bpf_map_lookup_elem');
    expect(reads).toEqual(['chunks /proc/kallsyms']);
    // Another query afterwards: the whole file, indexed once for the session.
    const other = await session.kernelSymbols({ addresses: [lookup], callBaseOffsets: [] });
    expect(other.symbolAt(lookup)).toBe('bpf_map_lookup_elem');
    expect(reads).toEqual(['chunks /proc/kallsyms', 'file /proc/kallsyms']);
  });
});
