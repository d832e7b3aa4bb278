// The live layer against the real kernel: run-stats deltas and rates from a known number of
// fixture program runs, the ENABLE_STATS fd's lifetime, lifecycle events for a loader
// started and stopped while sampling, and ring buffer throughput from known records.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { ProgramSampler } from '../../main/live/program-sampler.js';
import { LiveSubscriptions } from '../../main/live/subscriptions.js';
import { RingbufSampler } from '../../main/live/ringbuf-sampler.js';
import { runStatsSwitchFor } from '../../main/live/stats-holds.js';
import { LifecycleTimeline } from '../../main/live/timeline.js';
import { decodeProgStatsSample, type LifecycleEvent } from '../../main/kernel/live/index.js';
import { decodeProgInfo } from '../../main/kernel/info/index.js';

const skip = ensureKernelEnv();
/** struct ring_record is 32 bytes; the kernel adds an 8-byte header, rounded to 8. */
const RING_RECORD_BYTES = 32 + 8;

function statsFdsOf(pid: number, owners: Awaited<ReturnType<LocalHost['owners']>>): number {
  return owners.filter((o) => o.pid === pid && o.target === 'anon_inode:bpf-stats').length;
}

function sysctl(): string {
  return readFileSync('/proc/sys/kernel/bpf_stats_enabled', 'utf8').trim();
}

describe.skipIf(skip !== undefined)(`live sampling${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const host = new LocalHost();
  let fixtures: LoadedFixtures;

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps'] });
  });

  afterAll(async () => {
    await fixtures?.stop();
  });

  it('counts a known number of getpid runs: run_cnt delta, events/s, avg ns and CPU %', async () => {
    const id = fixtures.program('count_getpid').id;
    const sysctlBefore = sysctl();
    const lease = await runStatsSwitchFor(host).acquire();
    try {
      const sampler = new ProgramSampler(host, { intervalMs: 250 });
      expect(await sampler.sample()).toBeNull();
      const runs = 20_000;
      await fixtures.trigger('getpid', runs);
      const sample = (await sampler.sample())!;
      const stats = sample.programs.find((p) => p.id === id)!;
      expect(stats.name).toBe('count_getpid');
      expect(stats.type).toBe('tracepoint');
      // The program runs for every process's getpid and filters inside: others add a few runs.
      const delta = Math.round((stats.eventsPerSec * sample.intervalMs) / 1000);
      expect(delta).toBeGreaterThanOrEqual(runs);
      expect(delta).toBeLessThan(runs * 1.05 + 100);
      expect(stats.avgRunNs).toBeGreaterThan(0);
      expect(stats.avgRunNs).toBeLessThan(100_000);
      const cpuFromAvg = ((stats.avgRunNs * stats.eventsPerSec) / 1e9 / sample.onlineCpus) * 100;
      expect(stats.cpuPercent).toBeCloseTo(cpuFromAvg, 6);
      expect(stats.cpuPercent).toBeGreaterThan(0);
      expect(stats.cpuPercent).toBeLessThan(100);
      expect(stats.verifiedInsns).toBeGreaterThan(0);
      expect(stats.owners.map((o) => o.pid)).toContain(fixtures.report.pid);
      expect(sample.totals.eventsPerSec).toBeGreaterThanOrEqual(stats.eventsPerSec);
      expect(sample.totals.statsCost.perRunNs).toEqual({ bareMetal: 20, measuredVm: 85 });
      expect(sampler.history(id)?.eventsPerSec).toHaveLength(1);
      expect(sysctl()).toBe(sysctlBefore);
    } finally {
      await lease.release();
    }
  });

  it('the one-pass stats records carry what bpf_prog_info says for every fixture program', async () => {
    const table = decodeProgStatsSample(await host.progInfoAll(100_000));
    const ids = new Set(await host.listIds('prog'));
    expect(table.count).toBeGreaterThan(0);
    let compared = 0;
    for (let i = 0; i < table.count; i++) {
      expect(ids.has(table.id(i))).toBe(true);
      if (i > 0) expect(table.id(i)).toBeGreaterThan(table.id(i - 1));
    }
    for (const fixture of fixtures.report.programs) {
      const record = table.records.find((r) => r.id === fixture.id)!;
      const info = decodeProgInfo((await host.progInfo(fixture.id, false))!.info);
      expect(record).toMatchObject({ type: info.type, name: info.name, tag: info.tag, verifiedInsns: info.verifiedInsns });
      expect(record.runCnt).toBeLessThanOrEqual(Number(info.runCnt));
      expect(record.runTimeNs).toBeLessThanOrEqual(Number(info.runTimeNs));
      expect(record.recursionMisses).toBeLessThanOrEqual(Number(info.recursionMisses));
      compared++;
    }
    expect(compared).toBeGreaterThan(2);
  });

  it('a walk given earlier ids reads them directly and finds the programs above them', async () => {
    const all = decodeProgStatsSample(await host.progInfoAll(100_000));
    const ids = all.records.map((r) => r.id);
    const idsOf = async (known: number[]) => decodeProgStatsSample(await host.progInfoAll(100_000, Uint32Array.from(known))).records.map((r) => r.id);
    expect(await idsOf(ids)).toEqual(ids);
    // The first half as hints: the walk goes on from the last of them.
    const half = ids.slice(0, Math.ceil(ids.length / 2));
    expect(await idsOf(half)).toEqual(ids);
    // An id that is gone is skipped; ids not above the one before are ignored.
    expect(await idsOf([ids[0]!, 0x7ffffff0])).toEqual([ids[0]]);
    expect(await idsOf([ids[1]!, ids[0]!])).toEqual(ids.slice(1));
    const table = decodeProgStatsSample(await host.progInfoAll(1, Uint32Array.from(ids)));
    expect([table.count, table.truncated]).toEqual([1, ids.length > 1]);
    // Program fds are closed in batches (close_range): none stays open.
    const fds = readdirSync('/proc/self/fd').length;
    for (let i = 0; i < 3; i++) await host.progInfoAll(100_000, i === 1 ? Uint32Array.from(ids) : undefined);
    expect(readdirSync('/proc/self/fd').length).toBe(fds);
  });

  it('the owner walk does not count its own process\'s object reads as holds', async () => {
    const map = fixtures.map('hash_map', 'maps');
    const reader = await host.openMap(map.id);
    try {
      // The read's fd is open in this process while the walk runs.
      const ownFds = readdirSync('/proc/self/fd').map((fd) => { try { return readlinkSync(`/proc/self/fd/${fd}`); } catch { return ''; } });
      expect(ownFds).toContain('anon_inode:bpf-map');
      const owners = await host.owners();
      expect(owners.filter((o) => o.pid === process.pid && o.target !== 'anon_inode:bpf-stats')).toEqual([]);
      // The loader, which holds the map, is still named.
      expect(owners.some((o) => o.pid === fixtures.report.pid && o.target === 'anon_inode:bpf-map')).toBe(true);
    } finally {
      await reader?.close();
    }
  });

  it('holds one stats fd across leases and releases it with the last one, sysctl untouched', async () => {
    const before = sysctl();
    const stats = runStatsSwitchFor(host);
    const a = await stats.acquire();
    const b = await stats.acquire();
    expect(statsFdsOf(process.pid, await host.owners())).toBe(1);
    const status = await stats.status();
    expect(status).toMatchObject({ on: true, heldByUs: true, leases: 2 });
    expect(status.holders.find((h) => h.self)?.pid).toBe(process.pid);
    await a.release();
    await a.release();
    expect(statsFdsOf(process.pid, await host.owners())).toBe(1);
    await b.release();
    expect(statsFdsOf(process.pid, await host.owners())).toBe(0);
    expect(sysctl()).toBe(before);
  });

  it('a sampler started and stopped leaves no stats fd', async () => {
    const sampler = new ProgramSampler(host, { intervalMs: 250 });
    await sampler.start();
    expect(statsFdsOf(process.pid, await host.owners())).toBe(1);
    await sampler.stop();
    expect(statsFdsOf(process.pid, await host.owners())).toBe(0);
  });

  it('a subscriber that disconnects leaves no stats fd', async () => {
    const live = new LiveSubscriptions(async () => host);
    const subscriber = live.openSubscriber(() => undefined);
    await subscriber.subscribe({ kind: 'programs', host: 'local', intervalMs: 250 });
    await subscriber.subscribe({ kind: 'program', host: 'local', id: fixtures.program('count_getpid').id, intervalMs: 250 });
    expect(statsFdsOf(process.pid, await host.owners())).toBe(1);
    subscriber.close();
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(statsFdsOf(process.pid, await host.owners())).toBe(0);
    await live.close();
  });

  it('the stats fd dies with the process that held it', async () => {
    // The compiled modules (npx tsc -p tsconfig.json): a plain node child, as the app runs.
    const module = fileURLToPath(new URL('../../out/node/main/live/stats-holds.js', import.meta.url));
    const hostModule = fileURLToPath(new URL('../../out/node/main/hosts/local-host.js', import.meta.url));
    const script = `const { runStatsSwitchFor } = await import(${JSON.stringify(module)});
      const { LocalHost } = await import(${JSON.stringify(hostModule)});
      await runStatsSwitchFor(new LocalHost()).acquire();
      console.log('held'); setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
      });
      expect(statsFdsOf(child.pid!, await host.owners())).toBe(1);
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    }
    expect(statsFdsOf(child.pid!, await host.owners())).toBe(0);
  });

  it('a loader started and stopped while sampling shows up in the timeline', async () => {
    const timeline = new LifecycleTimeline(host, { intervalMs: 250 });
    expect(await timeline.poll()).toEqual([]);
    const tracing = await startFixtures({ only: ['tracing'] });
    const progId = tracing.program('raw_sys_enter').id;
    let loaded;
    try {
      loaded = await timeline.poll();
    } finally {
      await tracing.stop();
    }
    // Programs are freed after an RCU grace period: poll until the ids are gone.
    const gone: LifecycleEvent[] = [];
    for (let i = 0; i < 40 && !gone.some((e) => e.kind === 'prog' && e.id === progId); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      gone.push(...(await timeline.poll()));
    }
    const loadedProg = loaded.find((e) => e.kind === 'prog' && e.id === progId);
    expect(loadedProg).toMatchObject({ change: 'loaded', name: 'raw_sys_enter', type: 'raw_tracepoint' });
    expect(loadedProg?.owners.map((o) => o.pid)).toContain(tracing.report.pid);
    expect(loadedProg?.text).toMatch(new RegExp(`^prog ${progId} 'raw_sys_enter' \\(raw_tracepoint\\) loaded by pid ${tracing.report.pid} \\(`));
    for (const map of tracing.report.maps) expect(loaded.some((e) => e.kind === 'map' && e.id === map.id)).toBe(true);
    for (const link of tracing.report.links) expect(loaded.some((e) => e.kind === 'link' && e.id === link.id)).toBe(true);
    const goneProg = gone.find((e) => e.kind === 'prog' && e.id === progId);
    expect(goneProg).toMatchObject({ change: 'gone', name: 'raw_sys_enter' });
    expect(goneProg!.seq).toBeGreaterThan(loadedProg!.seq);
    expect(timeline.events(loadedProg!.seq - 1).length).toBeGreaterThanOrEqual(2);
  });

  it('ring buffer throughput follows a known number of records, without consuming them', async () => {
    const ring = fixtures.map('ring');
    await fixtures.drain();
    const sampler = new RingbufSampler(host, { intervalMs: 250 });
    const first = (await sampler.sample()).ringbufs.find((r) => r.mapId === ring.id)!;
    expect(first).toMatchObject({ name: 'ring', flavor: 'kernel', dataSize: ring.max_entries, pendingBytes: 0 });
    const records = 500;
    await fixtures.trigger('ringbuf', records);
    const secondSample = await sampler.sample();
    const second = secondSample.ringbufs.find((r) => r.mapId === ring.id)!;
    expect(second.producedBytes).toBe(records * RING_RECORD_BYTES);
    expect(second.consumedBytes).toBe(0);
    expect(second.pendingBytes).toBe(records * RING_RECORD_BYTES);
    expect(second.fill).toBeCloseTo((records * RING_RECORD_BYTES) / ring.max_entries, 9);
    const expectedRate = (second.producedBytes * 1000) / secondSample.intervalMs;
    expect(Math.abs(second.producedBytesPerSec - expectedRate) / expectedRate).toBeLessThan(0.05);
    // The owner still gets every record: we never moved consumer_pos.
    expect((await fixtures.drain()).ring).toBe(records);
    const third = (await sampler.sample()).ringbufs.find((r) => r.mapId === ring.id)!;
    expect(third).toMatchObject({ consumedBytes: records * RING_RECORD_BYTES, pendingBytes: 0, fill: 0, producedBytes: 0 });
  });
});
