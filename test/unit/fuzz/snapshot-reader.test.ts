// Fuzzing the snapshot reader: a real snapshot (written by the snapshot writer from the
// fixtures' compiled objects, opened as object-file hosts) damaged at random — bytes of the
// gzip file, of the tar inside it, of single entries, or of the manifest (with or without the
// checksums made to match, so the structural checks and decoders behind them are reached) —
// and then read through every method of the service, as the dashboard and the CLI read it.
// Each case must end in answers or in clear errors: no engine error (x is not iterable,
// out-of-bounds reads, stack overflow), no contract-breaking result, no hang.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatchCall } from '../../../main/api/dispatch.js';
import type { MethodName } from '../../../main/api/contract.js';
import { HostSession } from '../../../main/hosts/host-session.js';
import { decodeSnapshot, SnapshotHost } from '../../../main/hosts/snapshot-host.js';
import { MANIFEST_PATH } from '../../../main/kernel/snapshot/format.js';
import { decodeTar, encodeTar } from '../../../main/kernel/snapshot/tar.js';
import { createHostService } from '../../../main/server/host-service.js';
import { expectClear, fuzz, int, mutateJson, pick, randomBytes, randomJson, type Random } from '../../helpers/fuzz.js';
import { writeSeedSnapshot } from '../../helpers/seed-snapshot.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfscope-fuzz-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function flip(random: Random, bytes: Uint8Array, count: number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < count && out.length > 0; i++) out[int(random, out.length)] ^= 1 << int(random, 8);
  return out;
}

function entryMutation(random: Random, files: Map<string, Uint8Array>): void {
  const paths = [...files.keys()].filter((p) => p !== MANIFEST_PATH);
  const json = paths.filter((p) => p.endsWith('.json'));
  // The JSON entries get values of other shapes, as an editor (or a bug) would leave them.
  if (json.length > 0 && random() < 0.3) {
    const path = pick(random, json);
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(files.get(path)));
    } catch {
      // Damaged by an earlier mutation of this case.
      value = randomJson(random);
    }
    files.set(path, new TextEncoder().encode(JSON.stringify(mutateJson(random, value))));
    return;
  }
  const path = pick(random, paths);
  const data = files.get(path)!;
  switch (int(random, 6)) {
    case 0: files.set(path, data.subarray(0, int(random, data.length + 1))); break;
    case 1: files.set(path, new Uint8Array([...data, ...randomBytes(random, 1 + int(random, 64))])); break;
    case 2: files.set(path, flip(random, data, 1 + int(random, 4))); break;
    case 3: files.set(path, randomBytes(random, int(random, 512))); break;
    case 4: files.delete(path); break;
    default: files.set(pick(random, ['prog/999/info.bin', 'map/1/keys.bin', 'owners.json', 'attach/calls.json', `${path}.extra`]), randomBytes(random, int(random, 300)));
  }
}

/** One damaged copy of the snapshot's bytes. */
function damage(random: Random, original: Uint8Array): Uint8Array {
  const level = int(random, 10);
  if (level === 0) return flip(random, original, 1 + int(random, 8));
  if (level === 1) return original.subarray(0, int(random, original.length));
  const tar = new Uint8Array(gunzipSync(original));
  if (level === 2) return gzipSync(flip(random, tar, 1 + int(random, 16)));
  const files = new Map(decodeTar(tar));
  const manifest = JSON.parse(new TextDecoder().decode(files.get(MANIFEST_PATH))) as Record<string, unknown>;
  let changed: unknown = manifest;
  for (let i = 1 + int(random, 3); i > 0; i--) {
    if (random() < 0.35) changed = mutateJson(random, changed);
    else entryMutation(random, files);
  }
  // Half the time the checksums are made to match, so what they guard is reached.
  if (random() < 0.5 && typeof changed === 'object' && changed !== null && !Array.isArray(changed)) {
    (changed as Record<string, unknown>).checksums = Object.fromEntries(
      [...files].filter(([p]) => p !== MANIFEST_PATH).map(([p, d]) => [p, { size: d.length, sha256: createHash('sha256').update(d).digest('hex') }]),
    );
  }
  files.set(MANIFEST_PATH, new TextEncoder().encode(JSON.stringify(changed)));
  return gzipSync(Buffer.concat(encodeTar([...files].map(([path, data]) => ({ path, data })), 0)));
}

/** Everything the dashboard and the CLI ask of a host, through the service and its result checks. */
async function readEverything(host: SnapshotHost): Promise<void> {
  const service = createHostService({ hosts: { snap: async () => new HostSession(host) } });
  const signal = new AbortController().signal;
  const call = async (method: MethodName, params: object): Promise<unknown> => {
    const envelope = await dispatchCall(service, method, params, signal);
    if (!envelope.ok) {
      expectClear(`${method} ${JSON.stringify(params)}`, envelope.error);
      return undefined;
    }
    return envelope.result;
  };
  try {
    const host0 = { host: 'snap' };
    await call('listPrograms', host0);
    await call('listMaps', host0);
    await call('listLinks', host0);
    await call('getDiagnostics', host0);
    await call('compareHosts', { before: 'snap', after: 'snap', maxEntries: 1000 });
    for (const id of host.manifest.ids.prog.slice(0, 8)) {
      await call('getProgram', { host: 'snap', id });
      await call('getProgramAttachPoints', { host: 'snap', id });
      await call('getProgramCode', { host: 'snap', id });
      await call('readProgramListing', { host: 'snap', id, line: 0, count: 200 });
      await call('searchProgramListing', { host: 'snap', id, query: 'r1' });
    }
    for (const id of host.manifest.ids.map.slice(0, 12)) {
      await call('getMap', { host: 'snap', id });
      const view = (await call('openMapView', { host: 'snap', id })) as { view?: string } | undefined;
      if (view?.view) await call('readMapView', { view: view.view, offset: 0, limit: 100 });
    }
    for (const btfId of host.manifest.ids.btf.slice(0, 4)) {
      const found = (await call('searchBtfTypes', { host: 'snap', btfId, query: '', limit: 50 })) as Array<{ id: number }> | undefined;
      for (const t of (found ?? []).slice(0, 10)) await call('getBtfType', { host: 'snap', btfId, typeId: t.id });
    }
  } finally {
    await service.close();
  }
}

describe('snapshot reader fuzz', () => {
  let original: Uint8Array;

  beforeAll(async () => {
    original = await writeSeedSnapshot(join(dir, 'seed.bpfsnap'));
  });

  it('the undamaged snapshot reads whole', async () => {
    const { manifest, files } = await decodeSnapshot(original, 'seed.bpfsnap');
    expect(manifest.ids.prog.length).toBeGreaterThan(3);
    expect(Object.keys(manifest.mapContents).length).toBeGreaterThan(0);
    await readEverything(new SnapshotHost(manifest, files, 'seed.bpfsnap'));
  });

  it('damaged copies open with a clear error or answer every method with answers or clear errors', { timeout: 120_000 }, async () => {
    let opened = 0;
    const result = await fuzz('snapshot reader', async (random) => {
      const bytes = damage(random, original);
      let host: SnapshotHost;
      try {
        const { manifest, files } = await decodeSnapshot(bytes, 'fuzz.bpfsnap');
        host = new SnapshotHost(manifest, files, 'fuzz.bpfsnap');
      } catch (error) {
        expectClear('open', error as { code: string; message: string });
        expect((error as { code: string }).code).toBe('ESNAPSHOT');
        return;
      }
      opened++;
      await readEverything(host);
    });
    console.log(`snapshot reader fuzz: ${result.cases} cases (${opened} opened and read through), seed ${result.seed}`);
    expect(result.cases).toBeGreaterThan(20);
    expect(opened).toBeGreaterThan(0);
  });
});
