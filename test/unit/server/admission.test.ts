// Who keeps a connection to `bpfscope serve` when many ask: idle connections never lock out a
// client (32 idle ones refused every newcomer with 'too many connections'), connections with
// live views are never displaced, idle ones time out, dead peers and clients that stop reading
// are cut. Real HTTP and WebSocket connections against runServe.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CLOSE_IDLE, CLOSE_REPLACED, type ConnectionLimits } from '../../../main/server/admission.js';
import { runServe, type RunningServer } from '../../../main/server/serve.js';
import { createFakeService, type FakeService } from '../api/fake-service.js';

const staticDir = mkdtempSync(join(tmpdir(), 'bpfscope-admission-'));
writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>bpfscope</title>');

let server: RunningServer | undefined;
let service: FakeService;
const sockets: WebSocket[] = [];

async function serve(limits: Partial<ConnectionLimits>): Promise<RunningServer> {
  service = createFakeService();
  server = await runServe({ port: 0, staticDir, services: service, log: () => {}, limits });
  return server;
}

type Opened = { ok: true; socket: WebSocket } | { ok: false; status: number; body: string };

function connect(s: RunningServer): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${s.port}/api?token=${s.token}`);
    socket.once('open', () => {
      sockets.push(socket);
      resolve({ ok: true, socket });
    });
    socket.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ ok: false, status: res.statusCode ?? 0, body }));
    });
    socket.once('error', reject);
  });
}

async function open(s: RunningServer): Promise<WebSocket> {
  const opened = await connect(s);
  if (!opened.ok) throw new Error(`refused: ${opened.status} ${opened.body}`);
  return opened.socket;
}

const closeOf = (socket: WebSocket) => new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

function call(socket: WebSocket, id: number): Promise<unknown> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const message = JSON.parse(data.toString()) as { id?: number };
      if (message.id !== id) return;
      socket.off('message', onMessage);
      resolve(message);
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ type: 'request', id, method: 'versions', params: {} }));
  });
}

async function withView(socket: WebSocket): Promise<void> {
  const first = new Promise((resolve) => socket.once('message', resolve));
  socket.send(JSON.stringify({ type: 'subscribe', id: 1, event: 'hosts', params: {} }));
  await first;
}

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.terminate();
  await server?.close();
  server = undefined;
});

describe('connection admission', { timeout: 20_000 }, () => {
  it('idle connections never lock a client out: the idlest gives way', async () => {
    const s = await serve({ maxPerAddress: 32 });
    const idle: WebSocket[] = [];
    for (let i = 0; i < 32; i++) idle.push(await open(s));
    const closed = closeOf(idle[0]!);
    const newcomer = await open(s);
    expect(await closed).toBe(CLOSE_REPLACED);
    expect(await call(newcomer, 7)).toMatchObject({ type: 'response', id: 7, ok: true });
  });

  it('connections with live views are never displaced; when all have them the newcomer is told why (503)', async () => {
    const s = await serve({ maxConnections: 4 });
    const busy: WebSocket[] = [];
    for (let i = 0; i < 4; i++) {
      busy.push(await open(s));
      await withView(busy[i]!);
    }
    const refused = await connect(s);
    expect(refused).toEqual({ ok: false, status: 503, body: 'too many connections (at most 4), each with live views open\n' });
    for (const socket of busy) expect(socket.readyState).toBe(WebSocket.OPEN);
    // One view closes: that connection is idle now and gives way to the next client.
    busy[2]!.send(JSON.stringify({ type: 'cancel', id: 1 }));
    await new Promise((r) => setTimeout(r, 50));
    const closed = closeOf(busy[2]!);
    await open(s);
    expect(await closed).toBe(CLOSE_REPLACED);
  });

  it('a connection idle for idleMs is closed; one with a view is kept', async () => {
    const s = await serve({ idleMs: 300 });
    const idle = await open(s);
    const watching = await open(s);
    await withView(watching);
    expect(await closeOf(idle)).toBe(CLOSE_IDLE);
    await new Promise((r) => setTimeout(r, 400));
    expect(watching.readyState).toBe(WebSocket.OPEN);
  });

  it('a peer that stops answering pings is cut', async () => {
    const s = await serve({ heartbeatMs: 100 });
    const dead = await open(s);
    await withView(dead);
    // A paused socket reads nothing, so it answers no ping: as a peer that vanished without a FIN.
    dead.pause();
    await new Promise((r) => setTimeout(r, 1500));
    expect(s.connections()).toBe(0);
  });

  it('a client that stops reading what it subscribed to is cut once its queue passes the limit', async () => {
    const s = await serve({ maxBufferedPerConnection: 1 << 20 });
    const slow = await open(s);
    await withView(slow);
    slow.pause();
    const big = Array.from({ length: 200 }, (_, i) => ({ id: `host-${i}-${'x'.repeat(200)}`, label: 'x', status: 'connected' as const }));
    for (let i = 0; i < 400 && s.connections() > 0; i++) {
      for (const emit of service.hostListeners) emit(big);
      await new Promise((r) => setImmediate(r));
    }
    expect(s.connections()).toBe(0);
    expect(service.hostListeners.size).toBe(0);
  });
});
