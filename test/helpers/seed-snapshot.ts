// A real snapshot for fuzz suites to damage, written by the snapshot writer from a fixture's
// compiled object opened as an object-file host (programs with code and BTF, maps with
// contents), so no kernel or privilege is needed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host } from '../../main/hosts/host.js';
import { ObjectFileHost } from '../../main/hosts/objfile-host.js';
import { writeSnapshot } from '../../main/hosts/snapshot-writer.js';
import { buildFixtures, FIXTURE_BUILD_DIR } from './fixtures.js';

/** An object file host with the few host files a snapshot writer reads (kallsyms with the call base, CPUs, kernel). */
function asRunningHost(host: ObjectFileHost): Host {
  const files: Record<string, string> = {
    '/proc/kallsyms': 'ffffffff81200000 T __bpf_call_base\nffffffff81201000 T bpf_map_lookup_elem\n',
    '/sys/devices/system/cpu/possible': '0-1\n',
    '/proc/sys/kernel/osrelease': '6.18.0\n',
    '/proc/sys/kernel/arch': 'x86_64\n',
  };
  const encoder = new TextEncoder();
  return Object.create(host, {
    readFile: { value: async (path: string, limit: number) => (path in files ? encoder.encode(files[path]).subarray(0, limit) : host.readFile(path)) },
  }) as Host;
}

/** Writes the seed snapshot of test/fixtures/build/maps.bpf.o to `file` and returns its bytes. */
export async function writeSeedSnapshot(file: string): Promise<Uint8Array> {
  buildFixtures();
  const object = ObjectFileHost.fromBytes(new Uint8Array(readFileSync(join(FIXTURE_BUILD_DIR, 'maps.bpf.o'))), 'maps.bpf.o', 0);
  await writeSnapshot(asRunningHost(object), file, { maps: 'all', maxEntries: 1000, withVmlinux: false });
  return new Uint8Array(readFileSync(file));
}
