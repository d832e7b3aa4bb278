// Map watches shared between clients, against the real kernel: identical watches from many
// clients run as one (8 clients x 256 watches grew serve to 2.6 GB, one watcher each), each
// client sees the changes a trigger makes, a client joining late is greeted with the state;
// distinct watches draw on a budget (count, memory sized from max_entries, entries read per
// second) and are refused with the bound they hit; the last client leaving gives it all back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventData } from '../../main/api/contract.js';
import { HostSession } from '../../main/hosts/host-session.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { MapWatches, type WatchBudget } from '../../main/server/map-watches.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();
type Update = EventData<'mapWatch'>;

function until(check: () => boolean, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const tick = () => (check() ? resolve() : Date.now() - t0 > ms ? reject(new Error('condition not met in time')) : setTimeout(tick, 20));
    tick();
  });
}

describe.skipIf(skip !== undefined)(`shared map watches${skip ? ` (skipped: ${skip})` : ''}`, () => {
  const session = new HostSession(new LocalHost());
  let fixtures: LoadedFixtures;

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps'], bigHash: 20_000 });
  });
  afterAll(async () => {
    await fixtures?.stop();
  });

  const watches = (budget?: WatchBudget) => new MapWatches(async () => session, budget);

  it('identical watches of many clients run as one; every client sees each change; a late one is greeted', async () => {
    const hub = watches();
    const counts = fixtures.map('getpid_counts').id;
    const clients = Array.from({ length: 8 * 32 }, () => [] as Update[]);
    const stops = clients.map((events) => hub.watch({ host: 'local', id: counts, intervalMs: 100 }, (e) => events.push(e)));
    try {
      await until(() => clients.every((events) => events.some((e) => e.kind === 'tick')), 10_000);
      expect(hub.usage().watches).toBe(1);
      await fixtures.trigger('getpid', 2);
      const key = Buffer.alloc(4);
      key.writeUInt32LE(fixtures.report.pid);
      const sawChange = (events: Update[]) => events.some((e) => e.kind === 'tick' && [...e.added, ...e.changed].some((r) => r.keyHex === key.toString('hex')));
      await until(() => clients.every(sawChange), 10_000);
      const late: Update[] = [];
      stops.push(hub.watch({ host: 'local', id: counts, intervalMs: 100 }, (e) => late.push(e)));
      expect(late[0]).toMatchObject({ kind: 'tick', initial: true, added: [], changed: [], removed: [] });
      expect(late[0]!.kind === 'tick' && late[0]!.entries).toBeGreaterThan(0);
      // Another interval or other selected keys are another watch.
      stops.push(hub.watch({ host: 'local', id: counts, intervalMs: 200 }, () => {}));
      await until(() => hub.usage().watches === 2, 10_000);
    } finally {
      for (const stop of stops) stop();
    }
    expect(hub.usage()).toEqual({ watches: 0, bytes: 0, entriesPerSecond: 0 });
  });

  it('refuses a watch over the budget with the bound it hit, and takes it once the budget is given back', async () => {
    const big = fixtures.map('big_hash');
    const hub = watches({ watches: 2, memoryBytes: 8 * 1024 * 1024, entriesPerSecond: 100_000 });
    const refusedBy = async (params: { id: number; intervalMs: number }): Promise<string> => {
      const events: Update[] = [];
      const stop = hub.watch({ host: 'local', ...params }, (e) => events.push(e));
      await until(() => events.length > 0, 10_000);
      stop();
      const first = events[0]!;
      return first.kind === 'error' ? `${first.error.code}: ${first.error.message}` : first.kind;
    };
    // 20,000 entries read every 100 ms: 200,000 entries a second.
    expect(await refusedBy({ id: big.id, intervalMs: 100 })).toBe(
      `EBUSY: watching map ${big.id} (20,000 entries) every 100 ms reads 200,000/s entries; the server's map watches read at most 100,000/s and 0/s are taken`,
    );
    const held: Update[] = [];
    const stopHeld = hub.watch({ host: 'local', id: big.id, intervalMs: 1000 }, (e) => held.push(e));
    await until(() => held.some((e) => e.kind === 'tick'), 10_000);
    expect(hub.usage().watches).toBe(1);
    expect(await refusedBy({ id: big.id, intervalMs: 2000 })).toMatch(/^EBUSY: watching map \d+ \(20,000 entries\) may hold \d+ MiB; the server's map watches may hold 8 MiB and \d+ MiB of it are taken$/);
    const small: Update[] = [];
    const stopSmall = hub.watch({ host: 'local', id: fixtures.map('hash_map').id, intervalMs: 1000 }, (e) => small.push(e));
    await until(() => small.length > 0, 10_000);
    expect(await refusedBy({ id: fixtures.map('array_map').id, intervalMs: 1000 })).toBe('EBUSY: the server runs 2 map watches for its clients, its limit');
    stopSmall();
    stopHeld();
    expect(hub.usage()).toEqual({ watches: 0, bytes: 0, entriesPerSecond: 0 });
    expect(await refusedBy({ id: big.id, intervalMs: 2000 })).toBe('tick');
    // The watch stopped with its last client: no more ticks arrive.
    const count = held.length;
    await new Promise((r) => setTimeout(r, 1500));
    expect(held.length).toBe(count);
  });
});
