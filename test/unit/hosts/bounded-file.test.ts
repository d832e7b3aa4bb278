// Files named by a user or a client are read only when they are regular files of a bounded
// size whose first bytes fit: devices, FIFOs, directories and huge files fail at once with a
// message, on the CLI (`--host snapshot:/dev/zero` read until memory ran out) and in the service
// (`addHost` with such a spec took the server down).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readBoundedFile } from '../../../main/hosts/bounded-file.js';
import { ObjectFileHost } from '../../../main/hosts/objfile-host.js';
import { MAX_SNAPSHOT_FILE_BYTES, SnapshotHost } from '../../../main/hosts/snapshot-host.js';
import { createHostService } from '../../../main/server/host-service.js';
import { bpfscope } from '../../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'bpfscope-bounded-'));
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const huge = join(dir, 'huge.bpfsnap');
writeFileSync(huge, Uint8Array.of(0x1f, 0x8b));
truncateSync(huge, MAX_SNAPSHOT_FILE_BYTES + 1);
const zeros = join(dir, 'zeros');
writeFileSync(zeros, new Uint8Array(1 << 20));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bounded reads of named files', { timeout: 20_000 }, () => {
  it('reads a regular file whose head fits', async () => {
    const file = join(dir, 'ok');
    writeFileSync(file, 'GOOD and the rest');
    const read = await readBoundedFile(file, { limit: 100, what: 'a test file', code: 'ETEST', checkHead: (h) => (h[0] === 0x47 ? undefined : 'bad head') });
    expect(Buffer.from(read.bytes).toString()).toBe('GOOD and the rest');
  });

  it.each([
    ['/dev/zero', 'a character device, not a bpfscope snapshot (only regular files are read)'],
    ['/dev/urandom', 'a character device, not a bpfscope snapshot (only regular files are read)'],
    [fifo, 'a FIFO, not a bpfscope snapshot (only regular files are read)'],
    [dir, 'a directory, not a bpfscope snapshot (only regular files are read)'],
    [huge, '1.0 GiB, larger than a bpfscope snapshot may be (1.0 GiB)'],
    [zeros, 'not a bpfscope snapshot (not gzip data)'],
  ])('snapshot:%s is refused before it is read', async (path, message) => {
    await expect(SnapshotHost.open(path)).rejects.toMatchObject({ code: 'ESNAPSHOT', message: `${path}: ${message}` });
  });

  it.each([
    ['/dev/zero', /a character device, not a BPF object file/],
    [zeros, /not a BPF object file \(no ELF header\)/],
  ])('objfile:%s is refused before it is read', async (path, message) => {
    await expect(ObjectFileHost.open(path)).rejects.toMatchObject({ code: 'EOBJFILE', message: expect.stringMatching(message) });
  });

  it('the CLI says why and exits at once (it read /dev/zero until memory ran out)', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['ls', 'progs', '--host', 'snapshot:/dev/zero'], /\/dev\/zero: a character device, not a bpfscope snapshot/],
      [['ls', 'progs', '--host', 'snapshot:/dev/urandom'], /\/dev\/urandom: a character device/],
      [['ls', 'maps', '--host', 'objfile:/dev/zero'], /\/dev\/zero: a character device, not a BPF object file/],
      [['obj', '/dev/zero'], /\/dev\/zero: a character device, not a BPF object file/],
      [['ls', 'progs', '--host', `snapshot:${fifo}`], /a FIFO/],
      [['diff', `snapshot:${huge}`, `snapshot:${zeros}`], /larger than a bpfscope snapshot may be/],
    ];
    for (const [args, message] of cases) {
      const result = await bpfscope(args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('addHost snapshot:/dev/zero over the service fails that host with the reason; the service carries on', async () => {
    const service = createHostService({ hosts: {} });
    try {
      const signal = new AbortController().signal;
      await service.addHost({ spec: 'snapshot:/dev/zero' }, signal);
      let summary;
      for (let i = 0; i < 100; i++) {
        summary = (await service.listHosts({}, signal)).find((h) => h.id === 'snapshot:/dev/zero');
        if (summary?.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(summary).toMatchObject({ status: 'failed', error: { code: 'ESNAPSHOT', message: expect.stringMatching(/a character device/) } });
      expect((await service.versions({}, signal)).node).toBe(process.versions.node);
    } finally {
      await service.close();
    }
  });
});
