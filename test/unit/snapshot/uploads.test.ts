// Snapshot uploads from the UI: chunks in order and within the announced size, the file opened
// only when whole, damaged files refused with the decoder's error, unique host ids; ELF files
// open as object file hosts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ObjectFileHost } from '../../../main/hosts/objfile-host.js';
import { SnapshotUploads, uploadedHostId } from '../../../main/server/snapshot-service.js';
import { buildFixtures, FIXTURE_BUILD_DIR } from '../../helpers/fixtures.js';

const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

describe('snapshot uploads', () => {
  it('refuses chunks out of order, beyond the size, and files not whole', async () => {
    const uploads = new SnapshotUploads();
    const { upload } = uploads.begin({ name: 'a/b.bpfsnap', size: 4 });
    expect(() => uploads.chunk({ upload, offset: 2, data: b64(Uint8Array.of(1)) })).toThrow(/chunk at 2, expected 0/);
    expect(uploads.chunk({ upload, offset: 0, data: b64(Uint8Array.of(1, 2)) })).toEqual({ received: 2 });
    expect(() => uploads.chunk({ upload, offset: 2, data: b64(Uint8Array.of(1, 2, 3)) })).toThrow(/more bytes than announced/);
    await expect(uploads.finish({ upload })).rejects.toThrow(/a_b\.bpfsnap: 2 of 4 bytes received/);
    await expect(uploads.finish({ upload })).rejects.toThrow(/no snapshot upload/);
    uploads.close();
  });

  it('a whole but damaged file gives the decoder’s clear error', async () => {
    const uploads = new SnapshotUploads();
    const bytes = gzipSync(Buffer.from('not a tar'));
    const { upload } = uploads.begin({ name: 'x.bpfsnap', size: bytes.length });
    uploads.chunk({ upload, offset: 0, data: b64(bytes) });
    await expect(uploads.finish({ upload })).rejects.toThrow(expect.objectContaining({ code: 'ESNAPSHOT' }));
  });

  it('names hosts uniquely', () => {
    expect(uploadedHostId('snapshot:x', new Set())).toBe('snapshot:x');
    expect(uploadedHostId('snapshot:x', new Set(['snapshot:x', 'snapshot:x (2)']))).toBe('snapshot:x (3)');
    expect(uploadedHostId('objfile:x.bpf.o', new Set(['snapshot:x.bpf.o']))).toBe('objfile:x.bpf.o');
  });

  it('an ELF file opens as an object file host; a damaged one and other files give clear errors', async () => {
    buildFixtures();
    const object = new Uint8Array(readFileSync(join(FIXTURE_BUILD_DIR, 'maps.bpf.o')));
    const send = (name: string, bytes: Uint8Array) => {
      const uploads = new SnapshotUploads();
      const { upload } = uploads.begin({ name, size: bytes.length });
      uploads.chunk({ upload, offset: 0, data: b64(bytes) });
      return uploads.finish({ upload });
    };
    const host = await send('maps.bpf.o', object);
    expect(host).toBeInstanceOf(ObjectFileHost);
    expect(host.label).toBe('objfile:maps.bpf.o');
    await expect(send('cut.bpf.o', object.subarray(0, 200))).rejects.toThrow(expect.objectContaining({ code: 'EOBJFILE', message: expect.stringMatching(/^cut\.bpf\.o: elf: /) }));
    await expect(send('notes.txt', new TextEncoder().encode('hello'))).rejects.toThrow(/notes\.txt: neither a bpfscope snapshot \(gzip\) nor a BPF object file \(ELF\)/);
  });
});
