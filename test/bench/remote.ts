// Remote host benchmarks over a real loopback sshd, against LocalHost in the same run:
// a big hash dumped through SshHost vs LocalHost (MapStream raw pages, batch), connect
// time to a cached agent (a /bin/sh test user, agent through sudo -n), and the bytes on
// the wire (the SSH socket's tcpi_bytes_received, from `ss -ti`) for a 1 Hz watch of a
// 100 k-entry map where 1% of the entries change between polls. Run after tsc:
//   node out/node/test/bench/remote.js [ENTRIES]     (default 1000000)
import { spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { agentBinaryFor } from '../../main/hosts/agent-binary.js';
import type { Host } from '../../main/hosts/host.js';
import { LocalHost } from '../../main/hosts/local-host.js';
import { MapStream } from '../../main/hosts/map-stream.js';
import { SshHost, type SshHostOptions } from '../../main/hosts/ssh-host.js';
import { MapWatcher, type MapWatchTick } from '../../main/live/map-watcher.js';
import { changeValues, loadBigHash } from '../helpers/big-hash.js';
import { startSshd } from '../helpers/sshd.js';
import { createTestUser } from '../remote/test-user.js';
import { median } from '../helpers/median.js';

const ENTRIES = Number(process.argv[2] ?? 1_000_000);
const WATCHED = 100_000;
const CHANGED = WATCHED / 100;
const POLLS = 5;
const RUNS = 3;


async function timed(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

async function dump(host: Host, id: number, expected: number): Promise<void> {
  const stream = await MapStream.open(host, id, { mode: 'batch' });
  let n = 0;
  for await (const page of stream!.pages()) n += page.count;
  if (n !== expected) throw new Error(`${host.label}: read ${n} entries, expected ${expected}`);
}

/** Bytes received so far on the client's TCP connections to port (kernel counter). */
function bytesReceived(port: number): number {
  const out = spawnSync('ss', ['-tinH', 'state', 'established', `( dport = :${port} )`], { encoding: 'utf8' }).stdout;
  return [...out.matchAll(/bytes_received:(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
}

const sshd = await startSshd('MaxStartups 100');
chmodSync(sshd.dir, 0o755);
chmodSync(join(sshd.dir, 'authorized_keys'), 0o644);
const user = createTestUser('bench');
const local = new LocalHost();
try {
  user.allowSudo([`${user.home}/.cache/bpfscope/agent-x86_64-${(await agentBinaryFor('x86_64')).sha256.slice(0, 16)}`]);
  const options: SshHostOptions = { configText: sshd.sshConfig('box', user.name), knownHostsFiles: [sshd.knownHostsFile], agentSocket: null, home: sshd.dir, reconnect: false };
  let t0 = performance.now();
  const remote = await SshHost.connect('box', options);
  console.log(`first connect (upload ${((await agentBinaryFor('x86_64')).bytes.length / 1024).toFixed(0)} KiB agent): ${(performance.now() - t0).toFixed(0)} ms`);
  const connects: number[] = [];
  for (let i = 0; i < 5; i++) {
    t0 = performance.now();
    await (await SshHost.connect('box', options)).close();
    connects.push(performance.now() - t0);
  }
  console.log(`connect to the cached agent (ssh + sudo -n + handshake): median ${median(connects).toFixed(0)} ms, best ${Math.min(...connects).toFixed(0)} ms   (target < 1000 ms)`);

  const big = await loadBigHash(ENTRIES);
  try {
    const localMs = await timed(RUNS, () => dump(local, big.id, ENTRIES));
    const before = bytesReceived(sshd.port);
    const remoteMs = await timed(RUNS, () => dump(remote, big.id, ENTRIES));
    const wire = (bytesReceived(sshd.port) - before) / RUNS;
    const rate = (ms: number) => `${((ENTRIES / ms) * 1000 / 1e6).toFixed(2)} M entries/s`;
    console.log(`dump ${ENTRIES} entries (u32 key, 32-byte value), batch pages, median of ${RUNS}:`);
    console.log(`  LocalHost ${(localMs / 1000).toFixed(3)} s (${rate(localMs)}); SshHost ${(remoteMs / 1000).toFixed(3)} s (${rate(remoteMs)}), ${(wire / 1e6).toFixed(1)} MB on the wire`);
    console.log(`  ratio SSH / local: ${(remoteMs / localMs).toFixed(2)}x   (target <= 2x)`);
  } finally {
    await big.stop();
  }

  const watched = await loadBigHash(WATCHED);
  try {
    const firstPage = await (await local.openMap(watched.id))!.read('batch', null, 4, 32, CHANGED);
    const keys = Array.from({ length: firstPage.count }, (_, i) => firstPage.keys.slice(i * 4, i * 4 + 4));
    const ticks: MapWatchTick[] = [];
    const watcher = new MapWatcher(remote, watched.id, { intervalMs: 1000 }, (e) => e.kind === 'tick' && ticks.push(e));
    await watcher.poll();
    const perPoll: number[] = [];
    for (let round = 1; round <= POLLS; round++) {
      changeValues(watched.id, keys, round);
      const before = bytesReceived(sshd.port);
      await watcher.poll();
      perPoll.push(bytesReceived(sshd.port) - before);
    }
    watcher.stop();
    const changed = ticks.slice(1).map((t) => t.changed.length);
    const bytes = median(perPoll);
    const changesBytes = CHANGED * (4 + 32);
    const mapBytes = WATCHED * (4 + 32);
    console.log(`1 Hz watch of a ${WATCHED}-entry hash, ${CHANGED} entries (1%) changed per poll (watcher saw ${changed.join(', ')} changed):`);
    console.log(`  ${(bytes / 1e3).toFixed(1)} kB on the wire per poll (median of ${POLLS}), the changes being ${(changesBytes / 1e3).toFixed(0)} kB (${CHANGED} x (4 B key + 32 B value)) and the map ${(mapBytes / 1e6).toFixed(2)} MB`);
    console.log(`  diff in the agent: ${(mapBytes / bytes).toFixed(0)}x less than the map per poll (before it: ~3.60 MB, the whole map, diffed locally)   (target: proportional to the changes)`);
  } finally {
    await watched.stop();
  }
  await remote.close();
} finally {
  user.remove();
  await sshd.stop();
}
