// Load on `bpfscope serve`: 50 WebSocket clients with 100 live views each (hosts, program
// series, single-program series, map watches of the fixtures' maps) for 60 s, each also
// sending a request a second (mostly cheap ones, so the time shows how the server keeps up)
// whose round trip is timed. Prints the server's RSS (peak
// under load, and for 30 s after every client has left) and request latency percentiles.
// Goals (issue 19): peak RSS < 500 MB; back under 150 MB within 30 s of the clients leaving.
// Run after the build (needs root for the fixtures):
//   node out/node/test/bench/serve-load.js [CLIENTS] [VIEWS] [SECONDS]   (default 50 100 60)
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { startFixtures } from '../helpers/fixtures.js';

/** out/node/test/bench → the repository. */
const BIN = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../../..'), 'bin/bpfscope.js');
const CLIENTS = Number(process.argv[2] ?? 50);
const VIEWS = Number(process.argv[3] ?? 100);
const SECONDS = Number(process.argv[4] ?? 60);
const AFTER_SECONDS = 30;
const REQUEST_EVERY_MS = 1000;

const fixtures = await startFixtures({ only: ['maps', 'tracing'] });
const server = spawn(process.execPath, [BIN, 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
try {
  const url = new URL(await new Promise<string>((resolve, reject) => {
    let out = '';
    server.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /serving the dashboard at (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
  }));
  const rssMb = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${server.pid}/status`, 'utf8'))![1]) / 1024;

  // Views a dashboard has open: the host list, program tables and charts, single programs, map watches.
  const programs = fixtures.report.programs.map((p) => p.id);
  const maps = fixtures.report.maps.filter((m) => !['ring', 'perf_events', 'jump_table', 'array_of_maps', 'hash_of_maps', 'stacks'].includes(m.name)).map((m) => m.id);
  const views = (client: number): Array<{ event: string; params: Record<string, unknown> }> => {
    const list: Array<{ event: string; params: Record<string, unknown> }> = [
      { event: 'hosts', params: {} },
      ...(['programs', 'totals', 'timeline'] as const).map((kind) => ({ event: 'series', params: { kind, host: 'local' } })),
    ];
    for (let i = 0; list.length < VIEWS; i++) {
      if (i % 4 === 0) list.push({ event: 'series', params: { kind: 'program', host: 'local', id: programs[(client + i) % programs.length] } });
      else list.push({ event: 'mapWatch', params: { host: 'local', id: maps[(client + i) % maps.length], intervalMs: [1000, 2000, 5000][i % 3] } });
    }
    return list;
  };
  // Mostly requests whose own cost is small, so their latency shows how the server keeps up.
  const requests = [
    ...Array.from({ length: 8 }, (_, i) => ({ method: i % 2 ? 'versions' : 'listHosts', params: {} })),
    { method: 'getMap', params: { host: 'local', id: maps[0] } },
    { method: 'getProgram', params: { host: 'local', id: programs[0] } },
  ];

  const latencies: number[] = [];
  let events = 0;
  let refused = 0;
  const sockets: WebSocket[] = [];
  const timers: NodeJS.Timeout[] = [];
  const baseline = rssMb();
  for (let c = 0; c < CLIENTS; c++) {
    const socket = new WebSocket(`ws://${url.host}/api?token=${url.searchParams.get('token')}`, { origin: url.origin });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const sent = new Map<number, number>();
    let nextId = VIEWS + 1;
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { type: string; id?: number; error?: unknown };
      if (message.type === 'event') events++;
      else if (message.type === 'response' && message.id !== undefined && sent.has(message.id)) {
        latencies.push(performance.now() - sent.get(message.id)!);
        sent.delete(message.id);
      } else if (message.type === 'end' || message.type === 'reject') refused++;
    });
    views(c).forEach((view, i) => socket.send(JSON.stringify({ type: 'subscribe', id: i + 1, ...view })));
    timers.push(setInterval(() => {
      const id = nextId++;
      sent.set(id, performance.now());
      socket.send(JSON.stringify({ type: 'request', id, ...requests[id % requests.length] }));
    }, REQUEST_EVERY_MS));
    sockets.push(socket);
  }

  let peak = 0;
  const started = Date.now();
  while (Date.now() - started < SECONDS * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    peak = Math.max(peak, rssMb());
  }
  for (const timer of timers) clearInterval(timer);
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) => `${sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1)} ms`;
  for (const socket of sockets) socket.close();
  const left = Date.now();
  let under150: number | undefined;
  let after = 0;
  while (Date.now() - left < AFTER_SECONDS * 1000) {
    await new Promise((r) => setTimeout(r, 1000));
    after = rssMb();
    if (under150 === undefined && after < 150) under150 = (Date.now() - left) / 1000;
  }

  console.log(`${CLIENTS} clients x ${VIEWS} live views for ${SECONDS} s (${events.toLocaleString('en-US')} events received, ${refused} views refused), one request per client every ${REQUEST_EVERY_MS} ms:`);
  console.log(`  server RSS: ${baseline.toFixed(0)} MB before, peak ${peak.toFixed(0)} MB under load (goal < 500), ${after.toFixed(0)} MB ${AFTER_SECONDS} s after the clients left (goal < 150; under 150 after ${under150 === undefined ? 'never' : `${under150.toFixed(0)} s`})`);
  console.log(`  request latency over ${latencies.length.toLocaleString('en-US')} requests: p50 ${pct(50)}, p90 ${pct(90)}, p99 ${pct(99)}, max ${pct(100)}`);
} finally {
  server.kill('SIGTERM');
  await fixtures.stop();
}
