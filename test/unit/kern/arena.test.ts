// Arena maps on recorded bytes (this kernel refuses to create one: EPERM): map info records written
// from the uapi layout as a 6.18 kernel fills them for an arena, a /proc/PID/maps text of a
// process that mapped one, and pages shown as hexdump -C shows them (checked against hexdump).
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { decodeMapInfo, renderMapJson, renderMapText } from '../../../main/kernel/info/index.js';
import { stringifyJson } from '../../../main/kernel/info/json-value.js';
import { arenaOf, hexdumpText, mapsArenaAt, mapsOfSize } from '../../../main/kernel/maps/arena.js';
import { mapInfo } from '../../helpers/recorded-kernel.js';

const ARENA = 33;
const MMAPABLE = 1 << 10;
const SEGV_ON_FAULT = 1 << 17;

describe('arena maps', () => {
  it('reads size, user address and flags from the map info', () => {
    const info = decodeMapInfo(mapInfo({ id: 9, type: ARENA, keySize: 0, valueSize: 0, maxEntries: 100, flags: MMAPABLE | SEGV_ON_FAULT, name: 'arena', mapExtra: 0x100000000n }));
    expect(arenaOf(info, 4096)).toEqual({ pages: 100, bytes: 409_600, userVmStart: 0x100000000n, segvOnFault: true, noUserConv: false, mmapable: true });
    const unmapped = decodeMapInfo(mapInfo({ id: 10, type: ARENA, keySize: 0, valueSize: 0, maxEntries: 1, flags: MMAPABLE, name: 'arena' }));
    expect(arenaOf(unmapped, 4096)?.userVmStart).toBeUndefined();
    expect(arenaOf(decodeMapInfo(mapInfo({ id: 11, type: 2, keySize: 4, valueSize: 4, maxEntries: 1, flags: 0, name: 'a' })), 4096)).toBeUndefined();
    expect(stringifyJson(renderMapJson({ info }).arena!)).toBe('{"pages":100,"user_vm_start":"0x100000000","segv_on_fault":true,"no_user_conv":false}');
    expect(renderMapText({ info })).toContain('\n\tarena  pages 100  user_vm_start 0x100000000  segv_on_fault');
  });

  it('finds the arena in a process’s mappings by its start', () => {
    const maps = [
      '55d0c0000000-55d0c0021000 r--p 00000000 fe:01 1234  /usr/bin/loader',
      '100000000-100064000 rw-s 00000000 00:0e 2048                       anon_inode:bpf-map',
      '7f00aa000000-7f00aa001000 rw-s 00000000 00:0e 2049   anon_inode:bpf-map',
    ].join('\n');
    expect(mapsArenaAt(maps, 0x100000000n)).toEqual({ start: 0x100000000n, end: 0x100064000n });
    expect(mapsArenaAt(maps, 0x55d0c0000000n)).toBeUndefined();
    // An arena created without an address: found by its size among the BPF map mappings only.
    expect(mapsOfSize(maps, 0x64000n)).toEqual([{ start: 0x100000000n, end: 0x100064000n }]);
    expect(mapsOfSize(maps, 0x1000n)).toEqual([{ start: 0x7f00aa000000n, end: 0x7f00aa001000n }]);
    expect(mapsOfSize(maps, 0x21000n)).toEqual([]);
  });

  it('shows a page as hexdump -C does (the address column 16 digits wide)', () => {
    const page = new Uint8Array(4096);
    page.set(new TextEncoder().encode('hello arena\x00\x01\x02'), 0);
    page.set([0xff, 0xfe], 100);
    const ours = hexdumpText(page, 0n).split('\n').map((l) => l.replace(/^0{8}/, ''));
    const theirs = execFileSync('hexdump', ['-C'], { input: page, encoding: 'utf8' }).split('\n');
    // hexdump ends with the size line; ours does not.
    expect(ours.slice(0, -1)).toEqual(theirs.slice(0, -2));
  });
});
