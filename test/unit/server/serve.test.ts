// `bpfscope serve` over real HTTP and WebSocket connections: the token, Host and
// Origin checks, and the API behind them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { MAX_REQUEST_BYTES } from '../../../main/api/protocol.js';
import { runServe, type RunningServer } from '../../../main/server/serve.js';
import { createFakeService, type FakeService } from '../api/fake-service.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

type Opened = { ok: true; socket: WebSocket } | { ok: false; status: number };

function openSocket(port: number, path: string, headers: Record<string, string>): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    socket.once('open', () => resolve({ ok: true, socket }));
    socket.once('unexpected-response', (_req, res) => resolve({ ok: false, status: res.statusCode ?? 0 }));
    socket.once('error', reject);
  });
}

function nextMessage(socket: WebSocket): Promise<unknown> {
  return new Promise((resolve) => socket.once('message', (data: Buffer) => resolve(JSON.parse(data.toString()))));
}

describe('bpfscope serve', { timeout: 10_000 }, () => {
  let server: RunningServer;
  let service: FakeService;
  let port: number;
  let token: string;
  let origin: string;
  const lines: string[] = [];

  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-serve-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>bpfscope</title>');
    writeFileSync(join(dir, 'app.js'), 'export {};');
    service = createFakeService();
    server = await runServe({ port: 0, staticDir: dir, services: service, log: (line) => lines.push(line) });
    ({ port, token } = server);
    origin = `http://127.0.0.1:${port}`;
  });

  afterAll(() => server.close());

  it('prints the tokenized loopback URL', () => {
    expect(server.url).toBe(`http://127.0.0.1:${port}/?token=${token}`);
    expect(token.length).toBeGreaterThanOrEqual(32);
    expect(lines).toEqual([`bpfscope: serving the dashboard at ${server.url}`]);
  });

  it('refuses HTTP without a token (401) and with a wrong one (403)', async () => {
    expect((await get(port, '/')).status).toBe(401);
    expect((await get(port, '/app.js')).status).toBe(401);
    expect((await get(port, '/?token=wrong')).status).toBe(403);
    expect((await get(port, '/', { cookie: `bpfscope_token_${port}=wrong` })).status).toBe(403);
    // A cookie for another port's server is not ours.
    expect((await get(port, '/', { cookie: `bpfscope_token_1=${token}` })).status).toBe(401);
  });

  it('trades the query token for an HttpOnly SameSite=Strict cookie and a clean URL', async () => {
    const reply = await get(port, `/?token=${token}`);
    expect(reply.status).toBe(303);
    expect(reply.headers.location).toBe('/');
    expect(reply.headers['set-cookie']).toEqual([`bpfscope_token_${port}=${token}; Path=/; HttpOnly; SameSite=Strict`]);
  });

  it('serves the renderer with the cookie, under a strict CSP', async () => {
    const reply = await get(port, '/', { cookie: `bpfscope_token_${port}=${token}` });
    expect(reply.status).toBe(200);
    expect(reply.body).toContain('<title>bpfscope</title>');
    expect(reply.headers['content-security-policy']).toContain("default-src 'none'");
    expect(reply.headers['content-security-policy']).toContain("script-src 'self'");
    expect(reply.headers['x-frame-options']).toBe('DENY');
    const script = await get(port, '/app.js', { cookie: `bpfscope_token_${port}=${token}` });
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
  });

  it('never serves files outside the renderer directory', async () => {
    const cookie = `bpfscope_token_${port}=${token}`;
    expect((await get(port, '/../../../../etc/passwd', { cookie })).status).toBe(404);
    expect((await get(port, '/%2e%2e/%2e%2e/etc/passwd', { cookie })).status).toBe(404);
    expect((await get(port, '/', { cookie }, 'POST')).status).toBe(405);
  });

  it('refuses a rebinding Host header even with the token', async () => {
    expect((await get(port, `/?token=${token}`, { host: `evil.example:${port}` })).status).toBe(403);
    expect((await get(port, `/?token=${token}`, { host: '127.0.0.1:1' })).status).toBe(403);
    expect((await get(port, `/?token=${token}`, { host: `localhost:${port}` })).status).toBe(303);
  });

  it('refuses cross-site pages even with the token', async () => {
    const cookie = `bpfscope_token_${port}=${token}`;
    expect((await get(port, '/', { cookie, origin: 'http://evil.example' })).status).toBe(403);
    expect((await get(port, '/', { cookie, 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await get(port, '/', { cookie, origin })).status).toBe(200);
  });

  it('refuses WebSocket upgrades without token, with a wrong one, a foreign Origin or a rebinding Host', async () => {
    expect(await openSocket(port, '/api', { origin })).toEqual({ ok: false, status: 401 });
    expect(await openSocket(port, '/api?token=nope', { origin })).toEqual({ ok: false, status: 403 });
    expect(await openSocket(port, `/api?token=${token}`, { origin: 'http://evil.example' })).toEqual({ ok: false, status: 403 });
    expect(await openSocket(port, `/api?token=${token}`, { origin: 'null' })).toEqual({ ok: false, status: 403 });
    expect(await openSocket(port, `/api?token=${token}`, { host: `rebind.example:${port}` })).toEqual({ ok: false, status: 403 });
    expect(await openSocket(port, `/elsewhere?token=${token}`, { origin })).toEqual({ ok: false, status: 403 });
  });

  it('answers API calls over an authorised WebSocket (cookie) and rejects malformed or oversized messages', async () => {
    const opened = await openSocket(port, '/api', { origin, cookie: `bpfscope_token_${port}=${token}` });
    if (!opened.ok) throw new Error(`upgrade refused: ${opened.status}`);
    const { socket } = opened;
    socket.send(JSON.stringify({ type: 'request', id: 1, method: 'listPrograms', params: { host: 'local' } }));
    expect(await nextMessage(socket)).toMatchObject({ type: 'response', id: 1, ok: true, result: [{ id: 7, name: 'sd_fw_egress' }] });

    const before = service.calls.length;
    socket.send('{"type":"request"');
    expect(await nextMessage(socket)).toMatchObject({ type: 'reject', error: { code: 'EPROTO' } });
    socket.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await nextMessage(socket)).toMatchObject({ type: 'reject', error: { code: 'EPROTO' } });
    socket.send(JSON.stringify({ type: 'request', id: 2, method: 'constructor', params: {} }));
    expect(await nextMessage(socket)).toMatchObject({ type: 'response', id: 2, ok: false, error: { code: 'ENOMETHOD' } });
    expect(service.calls.length).toBe(before);

    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('x'.repeat(MAX_REQUEST_BYTES + 1));
    expect(await closed).toBe(1009);
    expect(service.calls.length).toBe(before);
  });

  it('answers a message nested 2,000 deep with a reject and keeps serving (serve exited on it)', async () => {
    const opened = await openSocket(port, '/api', { origin, cookie: `bpfscope_token_${port}=${token}` });
    if (!opened.ok) throw new Error(`upgrade refused: ${opened.status}`);
    const { socket } = opened;
    socket.send(`{"type":"request","id":2,"method":"versions","params":${'['.repeat(2000)}${']'.repeat(2000)}}`);
    expect(await nextMessage(socket)).toMatchObject({ type: 'reject', error: { code: 'E2BIG' } });
    socket.send(JSON.stringify({ type: 'request', id: 3, method: 'versions', params: {} }));
    expect(await nextMessage(socket)).toMatchObject({ type: 'response', id: 3, ok: true });
    socket.close();
  });
});

describe('bpfscope serve --bind', () => {
  it('warns when not on loopback and still requires the token', async () => {
    const lines: string[] = [];
    const server = await runServe({ host: '0.0.0.0', port: 0, staticDir: tmpdir(), services: createFakeService(), log: (line) => lines.push(line) });
    try {
      expect(lines[0]).toMatch(/WARNING: serving on 0\.0\.0\.0/);
      expect((await get(server.port, '/')).status).toBe(401);
    } finally {
      await server.close();
    }
  });

  it('closes the service (and so its hosts) on shutdown', async () => {
    let closedHosts = 0;
    const services = Object.assign(createFakeService(), { close: async () => void closedHosts++ });
    const server = await runServe({ port: 0, staticDir: tmpdir(), services, log: () => {} });
    await server.close();
    await server.closed;
    expect(closedHosts).toBe(1);
  });
});

describe('bpfscope serve: the page request', { timeout: 10_000 }, () => {
  it('tells the service when the dashboard page is sent, and not for its assets, HEAD or refused requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bpfscope-serve-page-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>bpfscope</title>');
    writeFileSync(join(dir, 'app.js'), 'export {};');
    let pages = 0;
    const server = await runServe({ port: 0, staticDir: dir, services: createFakeService(), log: () => {}, onPage: () => void pages++ });
    try {
      const cookie = { cookie: `bpfscope_token_${server.port}=${server.token}` };
      expect((await get(server.port, '/', cookie)).status).toBe(200);
      expect(pages).toBe(1);
      expect((await get(server.port, '/index.html', cookie)).status).toBe(200);
      expect(pages).toBe(2);
      expect((await get(server.port, '/app.js', cookie)).status).toBe(200);
      expect((await get(server.port, '/', cookie, 'HEAD')).status).toBe(200);
      expect((await get(server.port, '/')).status).toBe(401);
      expect(pages).toBe(2);
    } finally {
      await server.close();
    }
  });
});

