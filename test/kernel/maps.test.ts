// Map reading against the real kernel and bpftool: every fixture map kind dumped equal to
// `bpftool map dump -j`, batch and fallback reads identical, per-CPU layout, mmap of global
// data, special maps, and the watcher's add/change/remove, rates and 'gone' state.
import { execFileSync, spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfscope } from '../helpers/cli.js';
import { FILLED_ENTRIES, perCpuValueFor, startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { HostSession } from '../../main/hosts/host-session.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { readMapSpecial } from '../../main/hosts/map-special.js';
import { MapStream, type MapStreamOptions } from '../../main/hosts/map-stream.js';
import { MapSnapshot } from '../../main/kernel/maps/snapshot.js';
import { MapWatcher, type MapWatchEvent, type MapWatchTick } from '../../main/live/map-watcher.js';
import { MapViews } from '../../main/server/map-views.js';

const skipReason = ensureKernelEnv();

const DUMPED = ['hash_map', 'array_map', 'percpu_hash', 'percpu_array', 'percpu_flows', 'lru_hash', 'lpm_trie', 'getpid_counts',
  'jump_table', 'perf_events', 'stacks', 'stack_counts', 'ring', 'array_of_maps', 'hash_of_maps', 'inner_a'];

/** bpftool exits non-zero when some lookups fail (perf_event_array) but still prints the entries. */
function bpftoolDump(id: number): unknown[] {
  return JSON.parse(spawnSync('bpftool', ['map', 'dump', 'id', String(id), '-j'], { encoding: 'utf8', maxBuffer: 1 << 28 }).stdout) as unknown[];
}

function asSet(entries: unknown[]): string[] {
  return entries.map((e) => JSON.stringify(e)).sort();
}

async function readAll(host: LocalHost, id: number, options: MapStreamOptions): Promise<{ snap: MapSnapshot; end: string; mode: string }> {
  const stream = await MapStream.open(host, id, options);
  if (!stream) throw new Error(`map ${id} gone`);
  const snap = new MapSnapshot(stream.layout.keySize, stream.layout.stride);
  const pages = stream.pages();
  for (;;) {
    const step = await pages.next();
    if (step.done) return { snap, end: step.value, mode: stream.mode };
    snap.add(step.value);
  }
}

function entriesOf(snap: MapSnapshot): string[] {
  return [...snap.indexed()].map(([, ref]) => Buffer.from(snap.key(ref)).toString('hex') + ':' + Buffer.from(snap.value(ref)).toString('hex')).sort();
}

function watchUntil(watcher: MapWatcher, events: MapWatchEvent[], done: (e: MapWatchEvent) => boolean, timeoutMs = 10_000): Promise<MapWatchEvent> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const check = (): void => {
      const hit = events.find(done);
      if (hit) return resolve(hit);
      if (Date.now() - started > timeoutMs) return reject(new Error(`no matching watch event in ${timeoutMs} ms: ${JSON.stringify(events.map((e) => e.kind))}`));
      setTimeout(check, 50);
    };
    check();
  });
}

describe.skipIf(skipReason !== undefined)(`maps${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let fixtures: LoadedFixtures;
  const host = new LocalHost();
  const session = new HostSession(host);

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps', 'cgroup'] });
    await fixtures.trigger('getppid', 3);
    await fixtures.trigger('getpid', 2);
  }, 120_000);

  afterAll(async () => {
    await fixtures?.stop().catch(() => undefined);
  });

  it('dump map --json equals bpftool map dump -j for every map kind (as sets)', async () => {
    const data = fixtures.report.maps.filter((m) => m.object === 'maps' && /\.(data|bss|rodata)$/.test(m.name));
    const maps = [...DUMPED.map((n) => fixtures.map(n, 'maps')), ...data, fixtures.map('sock_map', 'cgroup')];
    for (const map of maps) {
      const ours = await bpfscope(['dump', 'map', String(map.id), '--json']);
      expect(ours.code, `${map.name}: ${ours.stderr}`).toBe(0);
      expect(asSet(JSON.parse(ours.stdout) as unknown[]), map.name).toEqual(asSet(bpftoolDump(map.id)));
    }
  }, 120_000);

  it('dump map text equals bpftool text for BTF and plain maps', async () => {
    for (const name of ['array_map', 'percpu_array', 'lpm_trie']) {
      const map = fixtures.map(name, 'maps');
      const peer = execFileSync('bpftool', ['map', 'dump', 'id', String(map.id)], { encoding: 'utf8' });
      expect((await bpfscope(['dump', 'map', String(map.id)])).stdout, name).toBe(peer);
    }
    const sock = fixtures.map('sock_map', 'cgroup');
    expect((await bpfscope(['dump', 'map', String(sock.id)])).stdout).toBe(execFileSync('bpftool', ['map', 'dump', 'id', String(sock.id)], { encoding: 'utf8' }));
  });

  it('dump map lists slots whose lookup fails as bpftool does, byte for byte (text and --json)', async () => {
    // xsk_slots refuses every lookup (EOPNOTSUPP), dev_slots and cpu_slots have empty slots
    // (ENOENT; dev_slots[2] holds loopback), perf_events refuses with ENOTSUPP, jump_table and
    // the map-in-maps have empty slots bpftool leaves out, sock_slots and reuseport_slots
    // refuse with ENOSPC (a value that is not a 64-bit cookie).
    const maps = [
      ...['xsk_slots', 'dev_slots', 'cpu_slots', 'perf_events', 'jump_table', 'array_of_maps', 'hash_of_maps'].map((n) => fixtures.map(n, 'maps')),
      ...['sock_slots', 'reuseport_slots', 'sock_map'].map((n) => fixtures.map(n, 'cgroup')),
    ];
    const seen = new Set<string>();
    for (const map of maps) {
      for (const json of [false, true]) {
        const peer = spawnSync('bpftool', ['map', 'dump', 'id', String(map.id), ...(json ? ['-j'] : [])], { encoding: 'utf8' });
        expect(peer.status, `bpftool on ${map.name}`).toBe(0);
        const ours = await bpfscope(['dump', 'map', String(map.id), ...(json ? ['--json'] : [])]);
        expect(ours.code, `${map.name}: ${ours.stderr}`).toBe(0);
        expect(ours.stdout, `${map.name} ${json ? 'json' : 'text'}`).toBe(peer.stdout);
        for (const word of ['Operation not supported', '<no entry>', 'No such file or directory', '<cannot read>', 'No space left on device', 'Unknown error 524']) {
          if (ours.stdout.includes(word)) seen.add(word);
        }
      }
    }
    // The fixtures hold every kind of refusal, and a slot that reads next to ones that do not.
    expect([...seen].sort()).toEqual(['<cannot read>', '<no entry>', 'No space left on device', 'No such file or directory', 'Operation not supported', 'Unknown error 524']);
    const dev = await bpfscope(['dump', 'map', String(fixtures.map('dev_slots', 'maps').id)]);
    expect(dev.stdout).toContain('key: 02 00 00 00  value: 01 00 00 00\n');
    expect(dev.stdout).toMatch(/Found 1 element\n$/);
  });

  it('readers other than dumps see only the slots that were read', async () => {
    const dev = await readAll(host, fixtures.map('dev_slots', 'maps').id, {});
    expect(dev.mode).toBe('next');
    expect(entriesOf(dev.snap)).toEqual(['02000000:01000000']);
    expect((await readAll(host, fixtures.map('xsk_slots', 'maps').id, {})).snap.size).toBe(0);
    // The dashboard's map view says why an XSK map lists nothing; empty devmap slots are just empty.
    const views = new MapViews();
    const xsk = await views.open(session, fixtures.map('xsk_slots', 'maps').id);
    expect((await views.read(xsk.view, 0, 10)).note).toBe(
      '4 slots not listed: the kernel refuses to read them from user space (Operation not supported); bpfscope dump map lists each with its error',
    );
    const watch = await bpfscope(['watch', 'map', String(fixtures.map('xsk_slots', 'maps').id), '--interval', '100']);
    expect(watch.code).toBe(1);
    expect(watch.stderr).toMatch(/: nothing to watch: the kernel refuses to read its values from user space \(.*Operation not supported\); bpfscope dump map \d+ lists each slot with its error\n$/);
    const devView = await views.open(session, fixtures.map('dev_slots', 'maps').id);
    const devPage = await views.read(devView.view, 0, 10);
    expect(devPage.count).toBe(1);
    expect(devPage.note).toBeUndefined();
    views.closeAll();
  });

  it('batch and next-key reads give identical entries, in small and large pages', async () => {
    for (const name of ['hash_map', 'array_map', 'percpu_hash', 'percpu_array', 'lru_hash', 'lpm_trie', 'hash_of_maps', 'array_of_maps']) {
      const id = fixtures.map(name, 'maps').id;
      const batch = await readAll(host, id, { mode: 'batch', pageEntries: 7 });
      const next = await readAll(host, id, { mode: 'next', pageEntries: 7 });
      const auto = await readAll(host, id, {});
      expect(batch.end).toBe('done');
      expect(entriesOf(batch.snap), name).toEqual(entriesOf(next.snap));
      expect(entriesOf(auto.snap), name).toEqual(entriesOf(next.snap));
    }
    // prog_array refuses batches (ENOTSUPP): auto falls back.
    const jump = await readAll(host, fixtures.map('jump_table', 'maps').id, {});
    expect(jump.mode).toBe('next');
    expect(jump.snap.size).toBe(2);
  });

  it('never returns more entries per page than asked', async () => {
    const stream = await MapStream.open(host, fixtures.map('hash_map', 'maps').id, { pageEntries: 16 });
    let total = 0;
    for await (const page of stream!.pages()) {
      expect(page.count).toBeLessThanOrEqual(16);
      expect(page.keys.byteLength).toBeLessThanOrEqual(16 * 4);
      total += page.count;
    }
    expect(total).toBe(FILLED_ENTRIES);
  });

  it('lays per-CPU values out per possible CPU', async () => {
    const { snap } = await readAll(host, fixtures.map('percpu_hash', 'maps').id, {});
    const cpus = Number(/(\d+)\s*$/.exec(execFileSync('cat', ['/sys/devices/system/cpu/possible'], { encoding: 'utf8' }))![1]) + 1;
    expect(snap.stride).toBe(8 * cpus);
    for (const i of [0, 1, 42, 99]) {
      const key = new Uint8Array(new Uint32Array([i]).buffer);
      const value = snap.value(snap.find(key)!);
      const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
      for (let cpu = 0; cpu < cpus; cpu++) expect(view.getBigUint64(cpu * 8, true)).toBe(perCpuValueFor(i, cpu));
    }
  });

  it('reads mmapable global data through mmap, equal to a batch read', async () => {
    for (const m of fixtures.report.maps.filter((x) => x.object === 'maps' && /\.(data|bss)$/.test(x.name))) {
      const mm = await readAll(host, m.id, {});
      const batch = await readAll(host, m.id, { mode: 'batch' });
      expect(mm.mode, m.name).toBe('mmap');
      expect(entriesOf(mm.snap), m.name).toEqual(entriesOf(batch.snap));
    }
  });

  it('decodes special maps: program ids, inner map ids, stacks, ring positions, unreadable kinds', async () => {
    const jump = await readMapSpecial(session, fixtures.map('jump_table', 'maps').id);
    expect(jump.kind === 'prog-ids' && jump.slots.map((s) => [s.key[0], s.id])).toEqual([
      [0, fixtures.program('tail_a').id],
      [2, fixtures.program('tail_b').id],
    ]);
    const aom = await readMapSpecial(session, fixtures.map('array_of_maps', 'maps').id);
    const inner = [fixtures.map('inner_a', 'maps').id, fixtures.map('inner_b', 'maps').id];
    expect(aom.kind === 'map-ids' && aom.slots.map((s) => s.id)).toEqual(inner);
    const hom = await readMapSpecial(session, fixtures.map('hash_of_maps', 'maps').id);
    expect(hom.kind === 'map-ids' && hom.slots.map((s) => s.id).sort()).toEqual([...inner].sort());
    // Navigable: an inner map dumps like any other.
    const innerDump = await bpfscope(['dump', 'map', String(inner[0]), '--json']);
    expect(asSet(JSON.parse(innerDump.stdout) as unknown[])).toEqual(asSet(bpftoolDump(inner[0]!)));

    const stacks = await readMapSpecial(session, fixtures.map('stacks', 'maps').id);
    expect(stacks.kind).toBe('stack-frames');
    if (stacks.kind === 'stack-frames') {
      expect(stacks.stacks.length).toBeGreaterThan(0);
      const symbols = stacks.stacks.flatMap((s) => s.frames.map((f) => f.symbol ?? ''));
      expect(symbols.some((s) => /^(do_syscall_64|entry_SYSCALL)/.test(s))).toBe(true);
    }
    const ringId = fixtures.map('ring', 'maps').id;
    const before = await readMapSpecial(session, ringId);
    await fixtures.trigger('getppid', 2);
    const after = await readMapSpecial(session, ringId);
    if (before.kind !== 'ring-positions' || after.kind !== 'ring-positions') throw new Error('ring not read');
    expect(after.ring.size).toBe(fixtures.map('ring', 'maps').max_entries);
    const grown = after.ring.producer - before.ring.producer;
    expect(grown > 0n && grown % 2n === 0n).toBe(true);
    expect(after.ring.consumer).toBe(before.ring.consumer);
    const perf = await readMapSpecial(session, fixtures.map('perf_events', 'maps').id);
    expect(perf).toMatchObject({ kind: 'unreadable' });
  });

  it('watch: added, changed with previous value, removed; rates; per-CPU sums', async () => {
    const counts = fixtures.map('getpid_counts', 'maps');
    const events: MapWatchEvent[] = [];
    const btf = await session.btf(Number(JSON.parse(execFileSync('bpftool', ['map', 'show', 'id', String(counts.id), '-j'], { encoding: 'utf8' })).btf_id));
    const key = new Uint8Array(new Uint32Array([fixtures.report.target_tgid]).buffer);
    const watcher = new MapWatcher(host, counts.id, { intervalMs: 100, keys: [key], btf }, (e) => events.push(e));
    watcher.start();
    try {
      await watchUntil(watcher, events, (e) => e.kind === 'tick');
      await fixtures.trigger('getpid', 7);
      const changed = (await watchUntil(watcher, events, (e) => e.kind === 'tick' && e.changed.length > 0)) as MapWatchTick;
      const calls = (v: Uint8Array) => new DataView(v.buffer, v.byteOffset).getBigUint64(0, true);
      expect(calls(changed.changed[0]!.value!) - calls(changed.changed[0]!.previous!)).toBe(7n);
      const sum = changed.sums.find((s) => s.path === 'calls')!;
      expect(sum.value).toBe(Number(calls(changed.changed[0]!.value!)));
      expect(sum.rate).toBeGreaterThan(0);
      expect(changed.selected[0]!.fields.find((f) => f.path === 'calls')!.rate).toBeGreaterThan(0);
      expect(watcher.sumHistoryOf('calls')!.size).toBeGreaterThan(1);
    } finally {
      watcher.stop();
    }

    const hash = fixtures.map('hash_map', 'maps');
    const hashEvents: MapWatchEvent[] = [];
    const hashWatcher = new MapWatcher(host, hash.id, { intervalMs: 100 }, (e) => hashEvents.push(e));
    hashWatcher.start();
    try {
      await watchUntil(hashWatcher, hashEvents, (e) => e.kind === 'tick');
      execFileSync('bpftool', ['map', 'delete', 'id', String(hash.id), 'key', '5', '0', '0', '0']);
      const removed = (await watchUntil(hashWatcher, hashEvents, (e) => e.kind === 'tick' && e.removed.length > 0)) as MapWatchTick;
      expect([...removed.removed[0]!.key]).toEqual([5, 0, 0, 0]);
      expect(removed.entries).toBe(FILLED_ENTRIES - 1);
      expect(removed.fill).toBeCloseTo((FILLED_ENTRIES - 1) / hash.max_entries);
      execFileSync('bpftool', ['map', 'update', 'id', String(hash.id), 'key', '5', '0', '0', '0', 'value', ...Array(88).fill('0')]);
      const added = (await watchUntil(hashWatcher, hashEvents, (e) => e.kind === 'tick' && e.added.length > 0)) as MapWatchTick;
      expect([...added.added[0]!.key]).toEqual([5, 0, 0, 0]);
    } finally {
      hashWatcher.stop();
    }

    const perCpu = fixtures.map('percpu_array', 'maps');
    const slot0 = new Uint8Array(4);
    const pcEvents: MapWatchEvent[] = [];
    const pcWatcher = new MapWatcher(host, perCpu.id, { intervalMs: 100, keys: [slot0] }, (e) => pcEvents.push(e));
    const first = (await pcWatcher.poll()) as MapWatchTick;
    const spread = first.selected[0]!.fields[0]!.perCpu!;
    expect(spread.sum).toBeGreaterThanOrEqual(spread.max);
    expect(spread.min).toBeLessThanOrEqual(spread.max);
  }, 60_000);

  it('a map unloaded mid-watch ends in a gone state, and dump reports it cleanly', async () => {
    const second = await startFixtures({ only: ['maps'] });
    const id = second.map('hash_map', 'maps').id;
    const events: MapWatchEvent[] = [];
    const watcher = new MapWatcher(host, id, { intervalMs: 100 }, (e) => events.push(e));
    watcher.start();
    await watchUntil(watcher, events, (e) => e.kind === 'tick');
    await second.stop();
    const gone = await watchUntil(watcher, events, (e) => e.kind === 'gone');
    expect(gone.kind).toBe('gone');
    expect(events.some((e) => e.kind === 'error')).toBe(false);
    const dump = await bpfscope(['dump', 'map', String(id), '--json']);
    expect(dump.code).toBe(1);
    expect(dump.stderr).toMatch(/not loaded/);
    const stream = await MapStream.open(host, id);
    expect(stream).toBeNull();
  }, 120_000);
});
