// Map views are server state a client opens: together they hold a bounded number of bytes (the
// least recently read give way, and a view that alone does not fit stops with the reason), and
// the views a connection leaves open are closed when it goes. Over an object file's global
// data maps (one-entry arrays), through the real service and a real serve.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { HostSession } from '../../../main/hosts/host-session.js';
import { ObjectFileHost } from '../../../main/hosts/objfile-host.js';
import { decodeMapInfo } from '../../../main/kernel/info/index.js';
import { createHostService } from '../../../main/server/host-service.js';
import { MapViews } from '../../../main/server/map-views.js';
import { runServe } from '../../../main/server/serve.js';
import { buildFixtures, FIXTURE_BUILD_DIR } from '../../helpers/fixtures.js';

async function objectSession(): Promise<HostSession> {
  buildFixtures();
  return new HostSession(await ObjectFileHost.open(join(FIXTURE_BUILD_DIR, 'maps.bpf.o')));
}

/** Ids of the object's maps that hold contents (global data), with their value sizes. */
async function dataMaps(session: HostSession): Promise<Array<{ id: number; bytes: number }>> {
  const out = [];
  for (const id of await session.host.listIds('map')) {
    if (!(await session.host.openMap(id).catch(() => null))) continue;
    out.push({ id, bytes: 4 + (decodeMapInfo((await session.host.mapInfo(id))!.info).valueSize ?? 0) });
  }
  return out;
}

describe('map views: memory held for clients', () => {
  it('views together stay within the budget: the least recently read one gives way; one that cannot fit stops saying why', async () => {
    const session = await objectSession();
    const maps = await dataMaps(session);
    expect(maps.length).toBeGreaterThanOrEqual(2);
    const [a, b] = maps as [{ id: number; bytes: number }, { id: number; bytes: number }];
    const views = new MapViews(Math.max(a.bytes, b.bytes) + 1);
    const first = await views.open(session, a.id);
    await views.read(first.view, 0, 1);
    const second = await views.open(session, b.id);
    expect((await views.read(second.view, 0, 1)).rows).toHaveLength(1);
    expect(() => views.read(first.view, 0, 1)).toThrow(expect.objectContaining({ code: 'ENOVIEW' }));

    const tiny = new MapViews(1);
    const alone = await tiny.open(session, a.id);
    const page = await tiny.read(alone.view, 0, 1);
    expect(page.rows).toHaveLength(0);
    expect(page.readError).toBe("the server's map views may hold 1 bytes together: the read stopped after 0 entries (close other map views)");
  });

  it('the views a connection leaves open are closed when it goes', async () => {
    const session = await objectSession();
    const [map] = await dataMaps(session);
    const staticDir = mkdtempSync(join(tmpdir(), 'bpfscope-views-'));
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html>');
    const service = createHostService({ hosts: { obj: async () => session } });
    const server = await runServe({ port: 0, staticDir, services: service, log: () => {} });
    const call = (socket: WebSocket, id: number, method: string, params: object) =>
      new Promise<{ ok: boolean; result?: { view: string }; error?: { code: string } }>((resolve) => {
        const onMessage = (data: Buffer) => {
          const message = JSON.parse(data.toString()) as { id: number; ok: boolean };
          if (message.id !== id) return;
          socket.off('message', onMessage);
          resolve(message);
        };
        socket.on('message', onMessage);
        socket.send(JSON.stringify({ type: 'request', id, method, params }));
      });
    const connect = () => new Promise<WebSocket>((resolve) => {
      const socket = new WebSocket(`ws://127.0.0.1:${server.port}/api?token=${server.token}`);
      socket.once('open', () => resolve(socket));
    });
    try {
      const leaving = await connect();
      const opened = await call(leaving, 1, 'openMapView', { host: 'obj', id: map!.id });
      const view = opened.result!.view;
      const staying = await connect();
      expect((await call(staying, 1, 'readMapView', { view, offset: 0, limit: 1 })).ok).toBe(true);
      leaving.close();
      await new Promise((r) => setTimeout(r, 200));
      expect(await call(staying, 2, 'readMapView', { view, offset: 0, limit: 1 })).toMatchObject({ ok: false, error: { code: 'ENOVIEW' } });
      staying.close();
    } finally {
      await server.close();
    }
  });
});
