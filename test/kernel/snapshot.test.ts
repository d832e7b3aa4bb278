// Snapshots of the real fixtures: every CLI command gives the same output on the snapshot as
// on the live host at that moment; diff sees the map changes a trigger makes; damaged files
// fail clearly; a 1 M-entry map is snapshotted faster than bpftool dumps it.
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MANIFEST_PATH } from '../../main/kernel/snapshot/format.js';
import { decodeTar, encodeTar } from '../../main/kernel/snapshot/tar.js';
import { bpfscope, parseJsonExact, runCommand } from '../helpers/cli.js';
import { buildFixtures, startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

type Obj = Record<string, unknown> & { id: number };

const skip = ensureKernelEnv();
const dir = mkdtempSync(join(tmpdir(), 'bpfscope-snap-'));
/** Run statistics move whenever anything on the machine enables stats: live counters, not state. */
const VOLATILE = /"(run_time_ns|run_cnt|recursion_misses)":\d+,?/g;
/** The end of a program summary's sentence says how busy it is: it moves like run_cnt. */
const BUSY = / · [^·"\n]*(runs|statistics)[^·"\n]*(?=["\n])/g;

async function ok(args: string[]): Promise<string> {
  const result = await bpfscope(args);
  expect(result.stderr.replace(/^snapshot: .*\n/gm, ''), args.join(' ')).toBe('');
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/**
 * The listed objects among ids. Of the processes holding each, the fixture loader's: other test
 * files' processes open these maps for moments (a live ring buffer view held the fixtures' ring
 * while one listing ran), which no snapshot taken at another moment records.
 */
function onlyIds(json: string, ids: Set<number>, loaderPid: number): string {
  const kept = parseJsonExact<Obj[]>(json).filter((o) => ids.has(o.id));
  for (const o of kept) if (Array.isArray(o.pids)) o.pids = o.pids.filter((p: { pid?: unknown }) => p.pid === loaderPid);
  return JSON.stringify(kept).replace(VOLATILE, '');
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(skip)('snapshots of the fixtures', () => {
  let fixtures: LoadedFixtures;
  let file: string;
  const live = new Map<string, string>();
  const progIds = new Set<number>();
  const mapIds = new Set<number>();
  const linkIds = new Set<number>();
  const btfIds = new Set<number>();

  /** Every command compared, with what to keep of its output. */
  const commands = (): Array<[string[], (out: string) => string]> => {
    const list: Array<[string[], (out: string) => string]> = [
      [['ls', 'progs', '--json'], (o) => onlyIds(o, progIds, fixtures.report.pid)],
      [['ls', 'maps', '--json'], (o) => onlyIds(o, mapIds, fixtures.report.pid)],
      [['ls', 'links', '--json'], (o) => onlyIds(o, linkIds, fixtures.report.pid)],
    ];
    const same = (o: string) => o.replace(VOLATILE, '').replace(BUSY, '');
    const text = (o: string) => o.replace(/ run_time_ns \d+ run_cnt \d+/g, '').replace(/ recursion_misses \d+/g, '').replace(BUSY, '');
    // Each command is a process start plus a full enumeration: a sample of objects per kind keeps the run short.
    const sample = (ids: Set<number>) => [...ids].slice(0, 6);
    for (const id of sample(progIds)) list.push([['show', 'prog', String(id), '--json'], same], [['show', 'prog', String(id)], text]);
    for (const id of sample(mapIds)) list.push([['show', 'map', String(id), '--json'], same], [['show', 'map', String(id)], same]);
    for (const id of sample(linkIds)) list.push([['show', 'link', String(id), '--json'], same]);
    for (const id of btfIds) list.push([['btf', String(id), '--raw'], same], [['btf', String(id), '--c'], same]);
    for (const name of ['hash_map', 'array_map', 'getpid_counts', 'lpm_trie']) list.push([['dump', 'map', String(fixtures.map(name).id), '--json'], same]);
    // Slots the kernel refuses to read are recorded with their errno and listed as the live dump lists them.
    const refusing = [...['xsk_slots', 'dev_slots', 'cpu_slots', 'perf_events'].map((n) => fixtures.map(n, 'maps')), ...['sock_slots', 'reuseport_slots'].map((n) => fixtures.map(n, 'cgroup'))];
    for (const { id } of refusing) list.push([['dump', 'map', String(id)], same], [['dump', 'map', String(id), '--json'], same]);
    return list;
  };

  beforeAll(async () => {
    buildFixtures();
    fixtures = await startFixtures({ only: ['maps', 'tracing', 'kprobes', 'net', 'cgroup'] });
    await fixtures.trigger('getpid', 2);
    for (const p of fixtures.report.programs) progIds.add(p.id);
    for (const m of fixtures.report.maps) mapIds.add(m.id);
    for (const l of fixtures.report.links) linkIds.add(l.id);
    for (const p of parseJsonExact<Obj[]>(await ok(['ls', 'progs', '--json']))) {
      if (progIds.has(p.id) && typeof p.btf_id === 'number') btfIds.add(p.btf_id);
    }
    for (const [args, keep] of commands()) live.set(args.join(' '), keep(await ok(args)));
    file = join(dir, 'fixtures.bpfsnap');
    await ok(['snapshot', '-o', file]);
  }, 300_000);

  afterAll(async () => {
    await fixtures?.stop();
  });

  it('is a gzip’d tar that tar lists, with the manifest first', async () => {
    const listing = await runCommand('tar', ['tzf', file]);
    expect(listing.code).toBe(0);
    const paths = listing.stdout.trim().split('\n');
    expect(paths[0]).toBe('manifest.json');
    const someProg = [...progIds][0];
    expect(paths).toEqual(expect.arrayContaining([`prog/${someProg}/xlated.bin`, `prog/${someProg}/line_info.bin`, 'owners.json', 'files/proc/kallsyms']));
  });

  it('gives every command the same output as the live host', async () => {
    expect(btfIds.size).toBeGreaterThan(0);
    // The holders compared are the loader's, and there are some.
    expect(live.get('ls maps --json')).toContain(`"pids":[{"pid":${fixtures.report.pid},`);
    let compared = 0;
    for (const [args, keep] of commands()) {
      const offline = keep(await ok(['--host', `snapshot:${file}`, ...args]));
      expect(offline, args.join(' ')).toBe(live.get(args.join(' ')));
      compared++;
    }
    expect(compared).toBeGreaterThan(30);
  }, 600_000);

  it('refuses live operations and unrecorded data with ESNAPSHOT errors', async () => {
    const vmlinux = await bpfscope(['--host', `snapshot:${file}`, 'btf', '1', '--raw']);
    expect(vmlinux.code).toBe(1);
    expect(vmlinux.stderr).toMatch(/btf 1 \(vmlinux\) is recorded by hash only .*\n  hint: take the snapshot with --with-vmlinux/);
  });

  it('diff shows the entries a trigger changed, per key, BTF-typed', async () => {
    await fixtures.trigger('getpid', 3);
    const after = join(dir, 'after.bpfsnap');
    await ok(['snapshot', '--maps', [...mapIds].join(','), '-o', after]);
    const diff = JSON.parse(await ok(['diff', file, after, '--json'])) as {
      programs: { added: unknown[]; removed: unknown[]; changed: unknown[] };
      contents: Array<{ name: string; changed: number; entries: Array<{ key: string; before?: string; after?: string }> }>;
    };
    const counts = diff.contents.find((c) => c.name === 'getpid_counts');
    expect(counts?.changed).toBe(1);
    expect(counts!.entries[0].key).toBe(String(fixtures.report.pid));
    expect(JSON.parse(counts!.entries[0].after!).calls - JSON.parse(counts!.entries[0].before!).calls).toBe(3);
    // Programs of other sessions may come and go; ours stay.
    const text = await ok(['diff', file, after]);
    expect(text).toMatch(/~ map getpid_counts: 1 → 1 entries \(\+0 -0 ~1\)/);
    expect(text).not.toMatch(new RegExp(`- prog ${[...progIds][0]} `));
    const againstLive = await ok(['diff', after, 'local']);
    expect(againstLive).not.toMatch(/getpid_counts/);
  });

  it('damaged files give a clear error through the CLI', async () => {
    const bytes = readFileSync(file);
    const truncated = join(dir, 'truncated.bpfsnap');
    writeFileSync(truncated, bytes.subarray(0, bytes.length >> 1));
    const r = await bpfscope(['--host', `snapshot:${truncated}`, 'ls', 'progs']);
    expect([r.code, r.stderr]).toEqual([1, 'bpfscope: truncated.bpfsnap: truncated or corrupted (gzip: unexpected end of file)\n']);
    const notSnapshot = await bpfscope(['--host', `snapshot:${join(dir, '..')}`, 'ls', 'maps']);
    expect(notSnapshot.code).toBe(1);
  });

  it('entries damaged inside a well-formed archive are refused naming the entry; without checksums the CLI says what it could not check', async () => {
    /** The snapshot rewritten (valid gzip and tar) with its entries changed by `change`. */
    const rewrite = (name: string, change: (files: Map<string, Uint8Array>, manifest: Record<string, unknown>) => void): string => {
      const files = new Map(decodeTar(gunzipSync(readFileSync(file))));
      const manifest = JSON.parse(new TextDecoder().decode(files.get(MANIFEST_PATH))) as Record<string, unknown>;
      change(files, manifest);
      files.set(MANIFEST_PATH, new TextEncoder().encode(JSON.stringify(manifest)));
      const out = join(dir, name);
      writeFileSync(out, gzipSync(Buffer.concat(encodeTar([...files].map(([path, data]) => ({ path, data })), 0))));
      return out;
    };
    const hash = fixtures.map('hash_map').id;
    const prog = [...progIds][0]!;
    const values = `map/${hash}/values.bin`;
    const cut = (path: string) => (files: Map<string, Uint8Array>) => files.set(path, files.get(path)!.subarray(0, files.get(path)!.length - 3));
    const fails = async (args: string[], message: RegExp) => {
      const r = await bpfscope(args);
      expect(r.code, `${args.join(' ')}: ${r.stdout.slice(0, 200)}`).toBe(1);
      expect(r.stderr).toMatch(message);
    };

    const shortValues = rewrite('values.bpfsnap', cut(values));
    // It printed NUL-filled JSON here, and diff counted every entry as changed.
    await fails(['--host', `snapshot:${shortValues}`, 'dump', 'map', String(hash), '--json'], new RegExp(`${values}: \\d+ bytes, the manifest records \\d+ \\(truncated or altered\\)`));
    await fails(['diff', file, shortValues], new RegExp(values));
    await fails(['--host', `snapshot:${rewrite('info.bpfsnap', cut(`prog/${prog}/info.bin`))}`, 'ls', 'progs'], new RegExp(`prog/${prog}/info\\.bin: `));
    const owners = rewrite('owners.bpfsnap', (files, m) => {
      files.set('owners.json', new TextEncoder().encode('{"fds": 1}'));
      delete m.checksums;
    });
    await fails(['--host', `snapshot:${owners}`, 'ls', 'progs'], /owners\.json: not a list of owners \(damaged file\)/);
    const calls = rewrite('calls.bpfsnap', (files, m) => {
      files.set('attach/calls.json', new TextEncoder().encode('{"netnsList[]": {"result": {"fds": 1}}}'));
      delete m.checksums;
    });
    await fails(['--host', `snapshot:${calls}`, 'ls', 'net'], /attach\/calls\.json: netnsList\[\]: result is not a list \(damaged file\)/);

    const old = rewrite('old.bpfsnap', (_files, m) => delete m.checksums);
    const listed = await bpfscope(['--host', `snapshot:${old}`, 'ls', 'maps', '--json']);
    expect(listed.code).toBe(0);
    expect(listed.stderr).toBe('bpfscope: note: snapshot:old.bpfsnap was written without checksums (by a bpfscope older than them): the sizes of map contents, the info records and the JSON files were checked, the bytes themselves could not be\n');
    const oldShort = rewrite('old-values.bpfsnap', (files, m) => {
      cut(values)(files);
      delete m.checksums;
    });
    await fails(['--host', `snapshot:${oldShort}`, 'dump', 'map', String(hash)], new RegExp(`${values}: \\d+ bytes, but \\d+ entries of \\d+ bytes need \\d+`));
  });

  it('output: a device is refused and stays a device; a full filesystem fails the command and keeps the old file', async () => {
    // snapshot -o /dev/full exited 0 and renamed a regular file over the device node.
    const full = await bpfscope(['snapshot', '--maps', 'none', '-o', '/dev/full']);
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/^bpfscope: \/dev\/full: a character device: bpfscope writes its output to a regular file/m);
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
    expect(readdirSync('/dev').filter((name) => name.includes('partial'))).toEqual([]);

    const tiny = join(dir, 'tiny');
    mkdirSync(tiny);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', tiny]);
    try {
      const target = join(tiny, 'host.bpfsnap');
      writeFileSync(target, 'the previous snapshot');
      const r = await bpfscope(['snapshot', '--maps', 'none', '-o', target]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/ENOSPC|no space left/i);
      expect(readFileSync(target, 'utf8')).toBe('the previous snapshot');
      expect(lstatSync(target).isFile()).toBe(true);
      expect(readdirSync(tiny)).toEqual(['host.bpfsnap']);
    } finally {
      execFileSync('umount', [tiny]);
    }
  });
});
