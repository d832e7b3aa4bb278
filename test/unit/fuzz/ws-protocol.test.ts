// Fuzzing the WebSocket protocol of `bpfscope serve`: connections to a real server (the real
// host service, over a snapshot and an object file, so no privilege is needed) receive random
// text, random JSON (some nested thousands deep), binary frames, oversized frames, and
// messages of the protocol's shape with methods, events, ids and parameters drawn from the
// contract and mutated. After each batch the server must answer a request on a fresh
// connection; every message it sent must be a well-formed server message; no answer may be
// a contract-breaking result or an engine error; and the process must not throw (vitest
// fails the run on an uncaught error).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { EVENT_NAMES, METHOD_NAMES } from '../../../main/api/contract.js';
import { decodeServerMessage, MAX_REQUEST_BYTES } from '../../../main/api/protocol.js';
import { HostSession } from '../../../main/hosts/host-session.js';
import { ObjectFileHost } from '../../../main/hosts/objfile-host.js';
import { SnapshotHost } from '../../../main/hosts/snapshot-host.js';
import { createHostService } from '../../../main/server/host-service.js';
import { runServe, type RunningServer } from '../../../main/server/serve.js';
import { FIXTURE_BUILD_DIR } from '../../helpers/fixtures.js';
import { expectClear, fuzz, int, mutateJson, pick, randomBytes, randomJson, type Random } from '../../helpers/fuzz.js';
import { writeSeedSnapshot } from '../../helpers/seed-snapshot.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfscope-fuzz-ws-'));
const staticDir = join(dir, 'static');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HOSTS = ['snap', 'obj', 'nohost', '', 'x'.repeat(300)];
const NAMES = [...METHOD_NAMES, ...EVENT_NAMES, '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'watchHosts', '', 'a'.repeat(100)];
const IDS = [1, 2, 3, 7, 2 ** 31, Number.MAX_SAFE_INTEGER, 0, -1, 1.5, 2 ** 60, '1', null];
const SPECS = ['snapshot:/dev/zero', 'snapshot:/nonexistent', 'objfile:/dev/null', 'snapshot:/proc/self/mem', 'objfile:/etc/passwd', 'snap'];

/** Parameters in the shape the contract asks for, with values from the edges. */
function params(random: Random): Record<string, unknown> {
  const id = pick(random, [1, 2, 3, 4, 5, 0, 2 ** 32, -5]);
  const all: Record<string, unknown> = {
    host: pick(random, HOSTS), id, btfId: pick(random, [1, 2, undefined]), typeId: pick(random, [1, 10, 100, 2 ** 31]),
    line: int(random, 3000), count: pick(random, [0, 1, 100, 2000, 5000]), insn: pick(random, [0, 5, 99999]),
    query: pick(random, ['', 'r1', 'call', '\u0000', '.*', 'x'.repeat(300)]), limit: pick(random, [1, 100, 1000, 1001]),
    view: pick(random, ['v1', '', 'x'.repeat(100)]), offset: pick(random, [0, 10, -1, 1e9]), filter: pick(random, ['', 'a', '0']),
    kind: pick(random, ['programs', 'program', 'totals', 'timeline', 'ringbufs', 'all']), intervalMs: pick(random, [100, 1000, 50, 60_001]),
    keys: pick(random, [[], ['00000000'], ['zz'], Array.from({ length: 20 }, () => '00')]), spec: pick(random, SPECS),
    before: pick(random, HOSTS), after: pick(random, HOSTS), maxEntries: pick(random, [0, 10, 1_000_000]),
    hosts: [pick(random, HOSTS), pick(random, HOSTS)], accept: random() < 0.5,
    name: pick(random, ['a.bpfsnap', '../x', '']), size: pick(random, [1, 100, 1024 ** 3, 1024 ** 3 + 1]),
    upload: pick(random, ['u', '']), data: pick(random, ['AAAA', '!!', '']),
  };
  const chosen = Object.entries(all).filter(() => random() < 0.3);
  return Object.fromEntries(chosen);
}

/** One client message: mostly of the protocol's shape, mutated; sometimes anything at all. */
function message(random: Random): string | Buffer {
  switch (int(random, 12)) {
    case 0: return Buffer.from(randomBytes(random, int(random, 200))).toString('utf8');
    case 1: return JSON.stringify(randomJson(random));
    case 2: {
      const depth = pick(random, [10, 17, 100, 2000, 20_000]);
      return `{"type":"request","id":1,"method":"versions","params":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    }
    case 3: return Buffer.from(randomBytes(random, int(random, 100)));
    case 4: return JSON.stringify({ type: 'cancel', id: pick(random, IDS) });
    default: {
      const request = random() < 0.6;
      const shaped: Record<string, unknown> = {
        type: random() < 0.9 ? (request ? 'request' : 'subscribe') : pick(random, ['cancel', 'event', 'response', '']),
        id: pick(random, IDS),
        [request ? 'method' : 'event']: pick(random, NAMES),
        params: params(random),
      };
      return JSON.stringify(random() < 0.2 ? mutateJson(random, shaped) : shaped);
    }
  }
}

function connect(server: RunningServer): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
    socket.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
}

/** Every message the server sent is well-formed, and no answer is a broken result or an engine error. */
function checkServerMessage(text: string): void {
  const decoded = decodeServerMessage(text);
  expect(decoded.ok, text.slice(0, 300)).toBe(true);
  if (!decoded.ok) return;
  const m = decoded.message;
  const error = m.type === 'response' && !m.ok ? m.error : m.type === 'end' || m.type === 'reject' ? m.error : undefined;
  if (error) expectClear(`${m.type}`, error);
  if (m.type === 'event' && typeof m.data === 'object' && m.data !== null && 'error' in m.data) expectClear('event', (m.data as { error: { code: string; message: string } }).error);
}

async function answersVersions(server: RunningServer): Promise<void> {
  const socket = await connect(server);
  try {
    const reply = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the server did not answer within 5 s')), 5000);
      socket.once('message', (data: Buffer) => {
        clearTimeout(timer);
        resolve(data.toString());
      });
      socket.send(JSON.stringify({ type: 'request', id: 1, method: 'versions', params: {} }));
    });
    expect(JSON.parse(reply)).toMatchObject({ type: 'response', id: 1, ok: true });
  } finally {
    socket.terminate();
  }
}

describe('WebSocket protocol fuzz', () => {
  let snapshotFile: string;

  beforeAll(async () => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(staticDir);
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>bpfscope</title>');
    snapshotFile = join(dir, 'seed.bpfsnap');
    await writeSeedSnapshot(snapshotFile);
  });

  const start = (): Promise<RunningServer> => {
    const services = createHostService({
      hosts: {
        snap: async () => new HostSession(await SnapshotHost.open(snapshotFile)),
        obj: async () => new HostSession(await ObjectFileHost.open(join(FIXTURE_BUILD_DIR, 'maps.bpf.o'))),
      },
      // Hosts added by the fuzzer open as files only: no SSH connection to a made-up host.
      openSpec: async (spec) => {
        if (spec.startsWith('snapshot:')) return new HostSession(await SnapshotHost.open(spec.slice(9)));
        if (spec.startsWith('objfile:')) return new HostSession(await ObjectFileHost.open(spec.slice(8)));
        throw Object.assign(new Error(`${spec}: not opened by the fuzzer`), { code: 'ENOHOST' });
      },
    });
    return runServe({ port: 0, staticDir, services, log: () => {} });
  };

  it('random, deep, oversized and mutated messages get answers or clear refusals, and the server keeps serving', { timeout: 120_000 }, async () => {
    let server = await start();
    let messages = 0;
    let received = 0;
    try {
      const result = await fuzz('ws protocol', async (random, seed) => {
        // A fresh server now and then: state that cases leave behind (removed hosts, uploads) does not pile up.
        if (seed % 50 === 0) {
          await server.close();
          server = await start();
        }
        const socket = await connect(server);
        const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
        const failures: unknown[] = [];
        socket.on('message', (data: Buffer, isBinary: boolean) => {
          received++;
          try {
            expect(isBinary).toBe(false);
            checkServerMessage(data.toString());
          } catch (error) {
            failures.push(error);
          }
        });
        const count = 1 + int(random, 20);
        for (let i = 0; i < count && socket.readyState === WebSocket.OPEN; i++) {
          if (random() < 0.01) socket.send('x'.repeat(MAX_REQUEST_BYTES + 1 + int(random, 1000)));
          else socket.send(message(random));
          messages++;
        }
        // Answers still on their way (a slow method) are checked as they arrive until the socket closes.
        await new Promise((r) => setTimeout(r, int(random, 30)));
        socket.close();
        const code = await closed;
        if (failures.length > 0) throw failures[0];
        expect([1000, 1005, 1006, 1009], `close code ${code}`).toContain(code);
        await answersVersions(server);
      });
      console.log(`ws protocol fuzz: ${result.cases} cases, ${messages} messages, ${received} server messages, seed ${result.seed}`);
      expect(result.cases).toBeGreaterThan(20);
      expect(received).toBeGreaterThan(result.cases);
    } finally {
      await server.close();
    }
  });
});
