// The map watch with changes found in the addon (Host.watchMap) reports exactly what the
// fallback (full reads compared in TypeScript) reports, and costs less CPU per poll.
// CPU is process time (process.cpuUsage): other load on the machine does not count.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Host } from '../../main/hosts/host.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { MapWatcher, type MapWatchEvent, type MapWatchTick } from '../../main/live/map-watcher.js';
import { changeValues, deleteKeys, loadBigHash, type BigHash } from '../helpers/big-hash.js';

const ENTRIES = 100_000;
const CHANGED = ENTRIES / 100;

const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString('hex') : '-');

function tickOf(event: MapWatchEvent): MapWatchTick {
  if (event.kind !== 'tick') throw new Error(`expected a tick, got ${JSON.stringify(event)}`);
  return event;
}

/** Every reported entry as text, sorted: equal for equal ticks whatever their order. */
function summary(t: MapWatchTick): string[] {
  const line = (kind: string) => (c: { key: Uint8Array; value?: Uint8Array; previous?: Uint8Array }) => `${kind} ${hex(c.key)} ${hex(c.value)} ${hex(c.previous)}`;
  return [...t.added.map(line('+')), ...t.changed.map(line('~')), ...t.removed.map(line('-')), `entries ${t.entries}`].sort();
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

describe('map watch: diff in the addon vs full reads', () => {
  const local = new LocalHost();
  /** The same host without diff watches. */
  const fullReads = Object.create(local, { watchMap: { value: undefined } }) as Host;
  let map: BigHash;
  let keys: Uint8Array[];

  beforeAll(async () => {
    map = await loadBigHash(ENTRIES);
    const page = await (await local.openMap(map.id))!.read('batch', null, 4, 32, CHANGED + 20);
    keys = Array.from({ length: page.count }, (_, i) => page.keys.slice(i * 4, i * 4 + 4));
  }, 60_000);
  afterAll(async () => {
    await map?.stop();
  });

  it('reports the same changes, removals and re-additions, for less CPU per poll', async () => {
    const diffed = new MapWatcher(local, map.id, { intervalMs: 1000 }, () => undefined);
    const compared = new MapWatcher(fullReads, map.id, { intervalMs: 1000 }, () => undefined);
    const cpu = { diffed: [] as number[], compared: [] as number[] };
    const poll = async () => {
      let t0 = cpuMs();
      const a = tickOf(await diffed.poll());
      cpu.diffed.push(cpuMs() - t0);
      t0 = cpuMs();
      const b = tickOf(await compared.poll());
      cpu.compared.push(cpuMs() - t0);
      expect(summary(a)).toEqual(summary(b));
      return a;
    };
    try {
      expect(await poll()).toMatchObject({ initial: true, entries: ENTRIES });
      for (let round = 1; round <= 3; round++) {
        changeValues(map.id, keys.slice(0, CHANGED), round);
        expect((await poll()).changed).toHaveLength(CHANGED);
      }
      // A batch ends on a bucket boundary: the first read may hold a few less than asked.
      const gone = keys.slice(CHANGED, CHANGED + 20);
      expect(gone.length).toBeGreaterThan(0);
      deleteKeys(map.id, gone);
      expect((await poll()).removed).toHaveLength(gone.length);
      changeValues(map.id, gone, 9);
      const back = await poll();
      expect(back.added.map((a) => hex(a.key)).sort()).toEqual(gone.map(hex).sort());
      expect(back.entries).toBe(ENTRIES);
      const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
      const [d, c] = [median(cpu.diffed.slice(1)), median(cpu.compared.slice(1))];
      console.log(`CPU per poll of a ${ENTRIES}-entry watch: diff in the addon ${d.toFixed(1)} ms, full reads compared in TS ${c.toFixed(1)} ms`);
      expect(d).toBeLessThan(c);
    } finally {
      diffed.stop();
      compared.stop();
    }
  }, 120_000);
});
