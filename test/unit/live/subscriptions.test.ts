// LiveSubscriptions over an in-memory host with real timers: batching and the push-rate
// limit, history backfill, shared samplers, and sampling (and stats) ending with the last
// subscription or with the subscriber.
import { afterEach, describe, expect, it } from 'vitest';
import { LiveSubscriptions, MAX_OTHER_INTERVAL_SOURCES, type SeriesUpdate } from '../../../main/live/subscriptions.js';
import { FakeHost } from './fake-host.js';

/** Every progInfoAll call is one 250 ms step of the host clock with 1000 runs of program 1. */
class TickingHost extends FakeHost {
  override async progInfoAll(maxProgs: number): Promise<Uint8Array> {
    const p = this.programs.get(1);
    if (p) {
      p.runCnt += 1000n;
      p.runTimeNs += 50_000n;
    }
    this.monotonicNs += 250_000_000n;
    return super.progInfoAll(maxProgs);
  }
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('LiveSubscriptions', () => {
  let live: LiveSubscriptions | undefined;
  afterEach(async () => {
    await live?.close();
  });

  it('batches several series into at most N pushes per second, points accumulating', async () => {
    const host = new TickingHost();
    host.addProgram(1, 'busy');
    live = new LiveSubscriptions(async () => host);
    const pushes: Array<{ at: number; batch: SeriesUpdate[] }> = [];
    const subscriber = live.openSubscriber((batch) => pushes.push({ at: Date.now(), batch }), 2);
    const started = Date.now();
    await subscriber.subscribe({ kind: 'programs', host: 'h', intervalMs: 250 });
    await subscriber.subscribe({ kind: 'totals', host: 'h', intervalMs: 250 });
    await subscriber.subscribe({ kind: 'program', host: 'h', id: 1, intervalMs: 250 });
    expect(live.activeSources()).toEqual(['h|stats|250']);
    await sleep(1600);
    const elapsed = Date.now() - started;
    expect(pushes.length).toBeGreaterThanOrEqual(2);
    expect(pushes.length).toBeLessThanOrEqual(Math.ceil((elapsed / 1000) * 2) + 1);
    for (let i = 1; i < pushes.length; i++) expect(pushes[i]!.at - pushes[i - 1]!.at).toBeGreaterThanOrEqual(490);
    const all = pushes.flatMap((p) => p.batch);
    const program = all.filter((u): u is Extract<SeriesUpdate, { kind: 'program' }> => u.kind === 'program');
    // ~6 samples at 250 ms spread over ≤ 4 pushes: some pushes carry several points.
    expect(Math.max(...program.map((u) => u.points.timeMs.length))).toBeGreaterThan(1);
    expect(program.at(-1)!.latest).toMatchObject({ id: 1, name: 'busy', eventsPerSec: 4000, avgRunNs: 50 });
    const table = all.findLast((u) => u.kind === 'programs');
    expect(table?.kind === 'programs' && table.sample.programs[0]?.eventsPerSec).toBe(4000);
    const totals = all.findLast((u) => u.kind === 'totals');
    expect(totals?.kind === 'totals' && totals.statsCost?.runsPerSec).toBe(4000);
  });

  it('shares samplers across subscribers and stops them (and stats) with the last one', async () => {
    const host = new TickingHost();
    host.addProgram(1);
    live = new LiveSubscriptions(async () => host);
    const a = live.openSubscriber(() => undefined);
    const b = live.openSubscriber(() => undefined);
    const offA = await a.subscribe({ kind: 'programs', host: 'h', intervalMs: 250 });
    await b.subscribe({ kind: 'totals', host: 'h', intervalMs: 250 });
    await b.subscribe({ kind: 'timeline', host: 'h', intervalMs: 250 });
    expect(host.statsFds).toBe(1);
    expect(live.activeSources().sort()).toEqual(['h|stats|250', 'h|timeline|250']);
    offA();
    offA();
    expect(host.statsFds).toBe(1);
    b.close();
    await sleep(0);
    expect(live.activeSources()).toEqual([]);
    expect(host.statsFds).toBe(0);
    expect(host.statsEnables).toBe(1);
    await expect(b.subscribe({ kind: 'programs', host: 'h' })).rejects.toThrow(/closed/);
  });

  it('backfills history for a late subscriber and reports vanished programs', async () => {
    const host = new TickingHost();
    host.addProgram(1);
    host.addProgram(2, 'short_lived');
    live = new LiveSubscriptions(async () => host);
    const early = live.openSubscriber(() => undefined);
    await early.subscribe({ kind: 'programs', host: 'h', intervalMs: 250 });
    await sleep(700);
    const late: SeriesUpdate[] = [];
    const subscriber = live.openSubscriber((batch) => late.push(...batch), 20);
    await subscriber.subscribe({ kind: 'program', host: 'h', id: 2, intervalMs: 250 });
    await sleep(50);
    const first = late[0];
    expect(first?.kind === 'program' && first.points.timeMs.length).toBeGreaterThanOrEqual(2);
    host.programs.delete(2);
    await sleep(400);
    expect(late.some((u) => u.kind === 'program' && u.gone === true)).toBe(true);
  });

  it('turns sampler failures into error updates and a failed start into a rejected subscribe', async () => {
    const host = new TickingHost();
    live = new LiveSubscriptions(async () => host);
    const updates: SeriesUpdate[] = [];
    const subscriber = live.openSubscriber((batch) => updates.push(...batch), 20);
    await subscriber.subscribe({ kind: 'programs', host: 'h', intervalMs: 250 });
    host.progInfoAll = async () => {
      throw Object.assign(new Error('BPF_PROG_GET_NEXT_ID: Operation not permitted'), { code: 'EPERM' });
    };
    await sleep(400);
    expect(updates).toContainEqual(expect.objectContaining({ kind: 'error', series: 'programs', code: 'EPERM' }));

    const refusing = new TickingHost();
    refusing.enableStats = async () => {
      throw Object.assign(new Error('BPF_ENABLE_STATS: Operation not permitted'), { code: 'EPERM' });
    };
    const other = new LiveSubscriptions(async () => refusing);
    await expect(other.openSubscriber(() => undefined).subscribe({ kind: 'totals', host: 'r' })).rejects.toThrow(/ENABLE_STATS/);
    expect(other.activeSources()).toEqual([]);
  });

  it('holds a host sampling with nobody watching: a view opened later gets the history since the hold', async () => {
    const host = new TickingHost();
    host.addProgram(1);
    live = new LiveSubscriptions(async () => host);
    const release = await live.hold('h');
    expect(live.activeSources().sort()).toEqual(['h|stats|1000', 'h|timeline|1000']);
    expect(host.statsFds).toBe(1);
    await sleep(2300);
    const updates: SeriesUpdate[] = [];
    const subscriber = live.openSubscriber((batch) => updates.push(...batch), 20);
    await subscriber.subscribe({ kind: 'program', host: 'h', id: 1 });
    await sleep(50);
    const first = updates.find((u) => u.kind === 'program');
    expect(first?.kind === 'program' && first.points.timeMs.length).toBeGreaterThanOrEqual(2);
    // Released with a view still open: sampling goes on for the view, and stops with it.
    await release();
    await release();
    expect(live.activeSources()).toEqual(['h|stats|1000']);
    subscriber.close();
    await sleep(0);
    expect(live.activeSources()).toEqual([]);
    expect(host.statsFds).toBe(0);

    const refusing = new TickingHost();
    refusing.enableStats = async () => {
      throw Object.assign(new Error('BPF_ENABLE_STATS: Operation not permitted'), { code: 'EPERM' });
    };
    const other = new LiveSubscriptions(async () => refusing);
    await expect(other.hold('r')).rejects.toThrow(/ENABLE_STATS/);
    expect(other.activeSources()).toEqual([]);
  });

  it('bounds the samplers at other intervals than the default: a client cannot multiply sampling and history', async () => {
    const host = new TickingHost();
    host.addProgram(1);
    live = new LiveSubscriptions(async () => host);
    const subscriber = live.openSubscriber(() => undefined);
    for (let i = 0; i < MAX_OTHER_INTERVAL_SOURCES; i++) await subscriber.subscribe({ kind: 'programs', host: 'h', intervalMs: 2000 + i });
    await expect(subscriber.subscribe({ kind: 'totals', host: 'h', intervalMs: 5000 })).rejects.toMatchObject({
      code: 'EBUSY', message: `the server samples at ${MAX_OTHER_INTERVAL_SOURCES} intervals other than 1000 ms already, its limit`,
    });
    // Joining a running sampler, or the default interval, is always possible.
    await subscriber.subscribe({ kind: 'totals', host: 'h', intervalMs: 2003 });
    await subscriber.subscribe({ kind: 'timeline', host: 'h' });
    expect(live.activeSources()).toHaveLength(MAX_OTHER_INTERVAL_SOURCES + 1);
  });
  it('pushes the timeline backlog first even when it is empty: a client tells the news that follow from it', async () => {
    const host = new TickingHost();
    host.addProgram(1);
    live = new LiveSubscriptions(async () => host);
    const pushes: SeriesUpdate[] = [];
    const subscriber = live.openSubscriber((batch) => pushes.push(...batch));
    await subscriber.subscribe({ kind: 'timeline', host: 'h', intervalMs: 250 });
    await sleep(700);
    const timeline = (): Array<Extract<SeriesUpdate, { kind: 'timeline' }>> => pushes.filter((u): u is Extract<SeriesUpdate, { kind: 'timeline' }> => u.kind === 'timeline');
    expect(timeline()[0]).toMatchObject({ events: [] });
    host.addProgram(2, 'newcomer');
    await sleep(1500);
    expect(timeline().slice(1).flatMap((u) => u.events)).toContainEqual(expect.objectContaining({ kind: 'prog', id: 2, change: 'loaded' }));
  });
});
