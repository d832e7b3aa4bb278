// The addon's batch read on the libuv thread pool against the real kernel: page for page the
// same bytes as the synchronous read, the same error when the kernel refuses a batch, page
// sizes that do not fit the map refused before the kernel writes, and a prefetching dump of a
// map unloaded mid-read ends in the 'gone' state, not an error; a dump into a regular file
// equals bpftool's.
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { HostSession } from '../../main/hosts/host-session.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { bpftoolJsonBytes, openMapDump } from '../../main/hosts/map-dump.js';
import { MapStream } from '../../main/hosts/map-stream.js';
import { loadNativeAddon, type NativeHandle, type NativeMapPage } from '../../main/hosts/native-addon.js';

const skipReason = ensureKernelEnv();

const BIG_ENTRIES = 200_000;

interface AsyncBatch {
  mapLookupBatchAsync(h: NativeHandle, cursor: Buffer | null, keySize: number, valueStride: number, max: number, keys?: unknown, values?: unknown): Promise<NativeMapPage>;
}

function pageBytes(page: NativeMapPage): { keys: string; values: string; count: number; cursor: string; done: boolean } {
  return {
    keys: page.keys.subarray(0, page.count * 4).toString('hex'),
    values: page.values.subarray(0, page.count * 32).toString('hex'),
    count: page.count,
    cursor: page.cursor.toString('hex'),
    done: page.done,
  };
}

/** The map's key and value sizes as bpftool shows them, and a per-CPU value's bytes for every possible CPU. */
function bpftoolSizes(id: number): { key: number; value: number; perCpuStride: number } {
  const info = JSON.parse(execFileSync('bpftool', ['-j', 'map', 'show', 'id', String(id)], { encoding: 'utf8' })) as { bytes_key: number; bytes_value: number };
  const possible = readFileSync('/sys/devices/system/cpu/possible', 'utf8').trim();
  const cpus = possible.split(',').reduce((n, range) => {
    const [first, last = first] = range.split('-').map(Number);
    return n + last! - first! + 1;
  }, 0);
  return { key: info.bytes_key, value: info.bytes_value, perCpuStride: Math.ceil(info.bytes_value / 8) * 8 * cpus };
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (error) {
    return error;
  }
  throw new Error('resolved, expected a rejection');
}

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('returned, expected a throw');
}

describe.skipIf(skipReason !== undefined)(`async map reads${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let fixtures: LoadedFixtures;
  const addon = loadNativeAddon() as ReturnType<typeof loadNativeAddon> & AsyncBatch;
  const host = new LocalHost();

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps', 'big'], bigHash: BIG_ENTRIES });
  }, 120_000);

  afterAll(async () => {
    await fixtures?.stop().catch(() => undefined);
  });

  it('gives exactly the synchronous read\'s pages, cursor and end', async () => {
    const id = fixtures.map('big_hash', 'big').id;
    const handle = addon.mapOpen(id);
    expect(handle).not.toBeNull();
    const sync: ReturnType<typeof pageBytes>[] = [];
    const async: ReturnType<typeof pageBytes>[] = [];
    try {
      let cursor: Buffer | null = null;
      for (let done = false; !done; ) {
        const page = addon.mapLookupBatch(handle!, cursor, 4, 32, 4096);
        sync.push(pageBytes(page));
        ({ cursor, done } = page);
      }
      cursor = null;
      for (let done = false; !done; ) {
        const page = await addon.mapLookupBatchAsync(handle!, cursor, 4, 32, 4096);
        async.push(pageBytes(page));
        ({ cursor, done } = page);
      }
    } finally {
      addon.close(handle!);
    }
    expect(sync.reduce((n, p) => n + p.count, 0)).toBe(BIG_ENTRIES);
    expect(async.length).toBe(sync.length);
    for (let i = 0; i < sync.length; i++) expect(async[i], `page ${i}`).toEqual(sync[i]);
  });

  it('reads a page into the buffers it is given, the same bytes as into fresh ones', async () => {
    const id = fixtures.map('big_hash', 'big').id;
    const handle = addon.mapOpen(id);
    expect(handle).not.toBeNull();
    const keys = Buffer.alloc(4096 * 4, 0xee);
    const values = Buffer.alloc(4096 * 32, 0xee);
    try {
      let fresh: Buffer | null = null;
      let given: Buffer | null = null;
      for (let done = false, n = 0; !done; n++) {
        const page: NativeMapPage = await addon.mapLookupBatchAsync(handle!, fresh, 4, 32, 4096);
        const into: NativeMapPage = await addon.mapLookupBatchAsync(handle!, given, 4, 32, 4096, keys, values);
        expect(into.keys, `page ${n}`).toBe(keys);
        expect(into.values, `page ${n}`).toBe(values);
        expect(pageBytes(into), `page ${n}`).toEqual(pageBytes(page));
        ({ cursor: fresh, done } = page);
        given = into.cursor;
      }
      const message = /smaller than maxCount entries/;
      expect(await rejection(Promise.resolve().then(() => addon.mapLookupBatchAsync(handle!, null, 4, 32, 4097, keys, values)))).toMatchObject({ message: expect.stringMatching(message) });
      expect(await rejection(Promise.resolve().then(() => addon.mapLookupBatchAsync(handle!, null, 4, 32, 4096, keys, values.subarray(1))))).toMatchObject({ message: expect.stringMatching(message) });
      const notBuffers = /keys and values must both be Buffers/;
      expect(await rejection(Promise.resolve().then(() => addon.mapLookupBatchAsync(handle!, null, 4, 32, 4096, keys)))).toMatchObject({ message: expect.stringMatching(notBuffers) });
      expect(await rejection(Promise.resolve().then(() => addon.mapLookupBatchAsync(handle!, null, 4, 32, 4096, keys, 'values')))).toMatchObject({ message: expect.stringMatching(notBuffers) });
    } finally {
      addon.close(handle!);
    }
  });

  it('refuses sizes that do not fit the map\'s entries, before the kernel could write past the page', async () => {
    const percpu = fixtures.map('percpu_array', 'maps');
    const cases = [
      { id: fixtures.map('hash_map', 'maps').id, shrink: 'value' },
      { id: fixtures.map('hash_map', 'maps').id, shrink: 'key' },
      // A per-CPU value takes round_up(value_size, 8) bytes for each possible CPU.
      { id: percpu.id, shrink: 'cpus' },
    ] as const;
    for (const { id, shrink } of cases) {
      const { key, value, perCpuStride } = bpftoolSizes(id);
      const stride = shrink === 'cpus' ? perCpuStride - 8 : shrink === 'value' ? value - 1 : value;
      const keySize = shrink === 'key' ? key + 4 : key;
      const handle = addon.mapOpen(id);
      try {
        const message = /keySize or valueStride does not fit/;
        expect(() => addon.mapNextPage(handle!, null, keySize, stride, 4), `${shrink}`).toThrow(message);
        expect(() => addon.mapLookupBatch(handle!, null, keySize, stride, 4), `${shrink}`).toThrow(message);
        expect(() => addon.mapLookupBatchAsync(handle!, null, keySize, stride, 4), `${shrink}`).toThrow(message);
        // The sizes that fit read.
        const fits = shrink === 'cpus' ? perCpuStride : value;
        expect(addon.mapNextPage(handle!, null, key, fits, 4).count, `${shrink}`).toBeGreaterThan(0);
      } finally {
        addon.close(handle!);
      }
    }
  });

  it('a prefetching stream reads the same entries as one that does not', async () => {
    const id = fixtures.map('big_hash', 'big').id;
    const read = async (prefetch: boolean): Promise<string[]> => {
      const stream = await MapStream.open(host, id, { pageEntries: 3000, prefetch });
      const pages: string[] = [];
      // Past count a page's buffers hold whatever the allocator left there: compare what was read.
      for await (const { keys, values, count } of stream!.pages()) {
        pages.push(Buffer.from(keys.subarray(0, count * 4)).toString('hex') + Buffer.from(values.subarray(0, count * 32)).toString('hex'));
      }
      return pages;
    };
    const plain = await read(false);
    expect(plain.length).toBeGreaterThan(10);
    const prefetched = await read(true);
    // Element by element: a failure names the page instead of printing megabytes of hex.
    expect(prefetched.length).toBe(plain.length);
    for (let i = 0; i < plain.length; i++) expect(prefetched[i] === plain[i], `page ${i}`).toBe(true);
  });

  it('a stream that reuses its pages\' memory reads the same entries, into the memory of the page before last', async () => {
    const id = fixtures.map('big_hash', 'big').id;
    const read = async (reuseBuffers: boolean): Promise<{ entries: string[]; memory: ArrayBufferLike[] }> => {
      const stream = await MapStream.open(host, id, { pageEntries: 3000, firstPageEntries: 500, prefetch: true, reuseBuffers });
      const entries: string[] = [];
      const memory: ArrayBufferLike[] = [];
      // Each page is used up before the next is asked for, as the contract says.
      for await (const { keys, values, count } of stream!.pages()) {
        memory.push(values.buffer);
        entries.push(Buffer.from(keys.subarray(0, count * 4)).toString('hex') + Buffer.from(values.subarray(0, count * 32)).toString('hex'));
      }
      return { entries, memory };
    };
    const fresh = await read(false);
    const reused = await read(true);
    expect(reused.entries.length).toBe(fresh.entries.length);
    expect(reused.entries.length).toBeGreaterThan(10);
    for (let i = 0; i < fresh.entries.length; i++) expect(reused.entries[i] === fresh.entries[i], `page ${i}`).toBe(true);
    // The first page's memory is too small for the others; from the fourth on, each page is
    // read into the memory of the page two before it (the one between was being read ahead).
    expect(new Set(fresh.memory).size).toBe(fresh.memory.length);
    expect(new Set(reused.memory).size).toBe(3);
    for (let i = 3; i < reused.memory.length; i++) expect(reused.memory[i] === reused.memory[i - 2], `page ${i}`).toBe(true);
  });

  it('a stream with a smaller first page reads the same entries, in the same order', async () => {
    const id = fixtures.map('big_hash', 'big').id;
    const read = async (firstPageEntries?: number): Promise<{ counts: number[]; entries: string[] }> => {
      const stream = await MapStream.open(host, id, { pageEntries: 3000, firstPageEntries, prefetch: true });
      const counts: number[] = [];
      const entries: string[] = [];
      for await (const { keys, values, count } of stream!.pages()) {
        counts.push(count);
        for (let i = 0; i < count; i++) entries.push(Buffer.from(keys.subarray(i * 4, i * 4 + 4)).toString('hex') + Buffer.from(values.subarray(i * 32, i * 32 + 32)).toString('hex'));
      }
      return { counts, entries };
    };
    const whole = await read();
    const small = await read(100);
    // A hash batch ends at a bucket's end: it may hold fewer than asked, and a bucket's entries more.
    expect(small.counts[0]).toBeLessThanOrEqual(100);
    expect(small.counts[1]).toBeGreaterThan(100);
    expect(whole.counts[0]).toBeGreaterThan(100);
    expect(small.entries.length).toBe(whole.entries.length);
    // Element by element: a failure names the entry instead of printing megabytes of hex.
    for (let i = 0; i < whole.entries.length; i++) if (small.entries[i] !== whole.entries[i]) expect(small.entries[i], `entry ${i}`).toBe(whole.entries[i]);
  });

  it('dump map into a regular file equals bpftool\'s file, text and --json', async () => {
    const id = fixtures.map('big_hash', 'big').id;
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-dump-file-'));
    try {
      for (const json of [false, true]) {
        const toFile = (argv: string[], name: string): string => {
          const file = join(dir, name);
          const fd = openSync(file, 'w');
          try {
            const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', fd, 'pipe'] });
            expect(r.status, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
          } finally {
            closeSync(fd);
          }
          return file;
        };
        const mode = json ? ['--json'] : [];
        const ours = toFile([process.execPath, BIN, 'dump', 'map', String(id), ...mode], 'ours');
        const peer = toFile(['bpftool', 'map', 'dump', 'id', String(id), ...(json ? ['-j'] : [])], 'peer');
        // Megabytes of output: many chunks.
        expect(statSync(ours).size, json ? 'json' : 'text').toBeGreaterThan(8 << 20);
        expect(spawnSync('cmp', [ours, peer]).status, json ? 'json' : 'text').toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('rejects with the error the synchronous read throws when the kernel refuses a batch', async () => {
    // prog_array has no batch lookup: ENOTSUPP (524).
    const handle = addon.mapOpen(fixtures.map('jump_table', 'maps').id);
    try {
      const expected = thrown(() => addon.mapLookupBatch(handle!, null, 4, 4, 16)) as NodeJS.ErrnoException;
      const actual = (await rejection(addon.mapLookupBatchAsync(handle!, null, 4, 4, 16))) as NodeJS.ErrnoException;
      expect(expected.errno).toBeDefined();
      expect({ errno: actual.errno, code: actual.code, syscall: actual.syscall, message: actual.message }).toEqual({
        errno: expected.errno,
        code: expected.code,
        syscall: expected.syscall,
        message: expected.message,
      });
    } finally {
      addon.close(handle!);
    }
  });

  it('reads on after its handle is closed mid-read (it holds its own fd)', async () => {
    const handle = addon.mapOpen(fixtures.map('big_hash', 'big').id);
    const reading = addon.mapLookupBatchAsync(handle!, null, 4, 32, BIG_ENTRIES + 1024);
    addon.close(handle!);
    const page = await reading;
    expect(page.count).toBe(BIG_ENTRIES);
    expect(page.done).toBe(true);
  });

  it('a prefetching dump of a map unloaded mid-dump ends as gone', async () => {
    const second = await startFixtures({ only: ['big'], bigHash: BIG_ENTRIES });
    const id = second.map('big_hash', 'big').id;
    const source = await openMapDump(new HostSession(host), id, { pageEntries: 1024, prefetch: true });
    expect(source).not.toBeNull();
    const chunks = bpftoolJsonBytes(source!);
    const first = await chunks.next();
    expect(first.done).toBe(false);
    await second.stop();
    let step = await chunks.next();
    let more = 0;
    for (; !step.done; step = await chunks.next()) more++;
    expect(step.value).toBe('gone');
    // What was read after the unload is at most the page already being read (a few chunks).
    expect(more).toBeLessThan(20);
  }, 120_000);
});
