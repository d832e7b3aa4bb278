// Map watch cost on LocalHost: CPU time (process.cpuUsage, so other load on the machine
// does not count) of one MapWatcher poll, as % of one core at 1 Hz, with the changes found
// in the addon (Host.watchMap) vs full reads compared in TypeScript (the fallback), in the
// same run on the same map: a 1 M-entry big_hash with nothing changing, and a 100 k one
// with 1% of its entries changed before each poll (by bpftool, run from a child process
// forked once: a fork from this process before each poll would make every page the poll
// writes fault, copy-on-write). Run after tsc:
//   node out/node/test/bench/watch.js [BIG] [SMALL]   (default 1000000 100000)
import type { Host } from '../../main/hosts/host.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { MapWatcher, type MapWatchEvent } from '../../main/live/map-watcher.js';
import { loadBigHash } from '../helpers/big-hash.js';
import { startValueChanger } from '../helpers/value-changer.js';
import { median } from '../helpers/median.js';

const BIG = Number(process.argv[2] ?? 1_000_000);
const SMALL = Number(process.argv[3] ?? 100_000);
const POLLS = 5;


function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** The same host without diff watches: MapWatcher compares full reads itself. */
function fullReadsOf(host: Host): Host {
  return Object.create(host, { watchMap: { value: undefined } }) as Host;
}

interface WatchCost {
  /** Median CPU ms per poll = % of one core at 1 Hz / 10. */
  cpuMs: number;
  changedSeen: number[];
}

async function watchCost(host: Host, id: number, change?: () => Promise<void>): Promise<WatchCost> {
  const events: MapWatchEvent[] = [];
  const watcher = new MapWatcher(host, id, { intervalMs: 1000 }, (e) => events.push(e));
  const first = await watcher.poll();
  if (first.kind !== 'tick') throw new Error(`first poll: ${JSON.stringify(first)}`);
  const ms: number[] = [];
  const changedSeen: number[] = [];
  for (let round = 1; round <= POLLS; round++) {
    await change?.();
    const t0 = cpuMs();
    const event = await watcher.poll();
    ms.push(cpuMs() - t0);
    if (event.kind !== 'tick') throw new Error(`poll: ${JSON.stringify(event)}`);
    changedSeen.push(event.changed.length);
  }
  watcher.stop();
  return { cpuMs: median(ms), changedSeen };
}

const percent = (ms: number) => `${(ms / 10).toFixed(1)}%`;
const local = new LocalHost();

const big = await loadBigHash(BIG);
try {
  const before = await watchCost(fullReadsOf(local), big.id);
  const after = await watchCost(local, big.id);
  console.log(`1 Hz watch of a ${BIG}-entry hash, nothing changing (CPU of one core, median of ${POLLS} polls):`);
  console.log(`  full reads diffed in TS: ${percent(before.cpuMs)}; diff in the addon: ${percent(after.cpuMs)}   (target < 50%)`);
} finally {
  await big.stop();
}

const small = await loadBigHash(SMALL);
try {
  const page = await (await local.openMap(small.id))!.read('batch', null, 4, 32, SMALL / 100);
  const keys = Array.from({ length: page.count }, (_, i) => page.keys.slice(i * 4, i * 4 + 4));
  const changer = await startValueChanger(small.id, keys);
  let round = 0;
  const change = () => changer.change(++round);
  const before = await watchCost(fullReadsOf(local), small.id, change);
  const after = await watchCost(local, small.id, change);
  await changer.stop();
  console.log(`1 Hz watch of a ${SMALL}-entry hash, ${keys.length} entries (1%) changed per poll (CPU of one core, median of ${POLLS} polls):`);
  console.log(`  full reads diffed in TS: ${percent(before.cpuMs)} (saw ${before.changedSeen.join(', ')} changed); diff in the addon: ${percent(after.cpuMs)} (saw ${after.changedSeen.join(', ')})   (target < 5%)`);
} finally {
  await small.stop();
}
