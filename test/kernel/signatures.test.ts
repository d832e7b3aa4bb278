// What Linux 6.18 shows of signed programs. A signature is checked at BPF_PROG_LOAD (signature,
// keyring_id) and not kept: bpf_prog_info and fdinfo say nothing of it (checked below on this
// kernel's own BTF and a real program's fdinfo). What stays visible is the kernel's SHA-256 of a
// frozen array map (bpf_map_info.hash), which a signed loader checks its data map by: `show map
// ID --json` prints it as `sha256`, checked against a SHA-256 computed here from bpftool's dump of
// the same map (each value padded to 8 bytes, as the kernel lays an array out).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalHost } from '../../main/hosts/local-host.js';
import { arrayHashFromBpftool, bpfscope, bpftoolJson } from '../helpers/cli.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const skip = ensureKernelEnv();
let fixtures: LoadedFixtures;
const local = new LocalHost();

interface BpftoolMap {
  id: number;
  name: string;
  type: string;
  frozen?: number;
}

describe.skipIf(skip)('signatures and map hashes (Linux 6.18)', () => {
  let mine: BpftoolMap[];

  beforeAll(async () => {
    fixtures = await startFixtures({ only: ['maps', 'tracing'] });
    const ids = new Set(fixtures.report.maps.map((m) => m.id));
    mine = (await bpftoolJson<BpftoolMap[]>(['map', 'list'])).filter((m) => ids.has(m.id));
  }, 120_000);
  afterAll(async () => {
    await fixtures?.stop();
  });

  it('the kernel keeps no record of a program’s signature: none in bpf_prog_info, none in fdinfo', () => {
    const btf = execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], { encoding: 'utf8', maxBuffer: 1 << 30 });
    const struct = (name: string): string => new RegExp(`^${name} \\{\\n[\\s\\S]*?^\\};`, 'm').exec(btf)![0];
    // The load attributes have a signature; the info the kernel gives back has none.
    expect(btf).toMatch(/__u64 signature;\n\t+__u32 signature_size;\n\t+__s32 keyring_id;/);
    expect(struct('struct bpf_prog_info')).not.toMatch(/sig|keyring/);
    expect(struct('struct bpf_map_info')).toMatch(/__u64 hash;\n\t__u32 hash_size;/);
    const pid = fixtures.report.pid;
    const fd = readdirSync(`/proc/${pid}/fd`).find((f) => readlinkSync(`/proc/${pid}/fd/${f}`) === 'anon_inode:bpf-prog')!;
    const keys = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8').split('\n').map((l) => l.split(':')[0]).filter(Boolean);
    expect(keys.filter((k) => /sig|key/.test(k))).toEqual([]);
  });

  it('show prog ID says so: the signature is not recorded, and why (text and --json)', async () => {
    const id = fixtures.program('count_getpid').id;
    const json = JSON.parse((await bpfscope(['show', 'prog', String(id), '--json'])).stdout) as { signature?: { state: string; why: string } };
    expect(json.signature?.state).toBe('not recorded');
    expect(json.signature?.why).toMatch(/keeps no record of it/);
    const text = await bpfscope(['show', 'prog', String(id)]);
    expect(text.stdout).toMatch(/\n\tsignature: not recorded \(the kernel \(up to Linux 6\.18\) checks a signature .*\)\n\tsummary: /);
    // Listings leave it out: it says the same of every program.
    const listed = JSON.parse((await bpfscope(['ls', 'progs', '--json'])).stdout) as Array<{ signature?: unknown }>;
    expect(listed.filter((p) => p.signature !== undefined)).toEqual([]);
  });

  it('show map ID --json gives the kernel’s SHA-256 of each frozen array, as computed from bpftool’s dump', async () => {
    const frozen = mine.filter((m) => m.type === 'array' && m.frozen);
    expect(frozen.map((m) => m.name)).toEqual(expect.arrayContaining(['maps_bpf.rodata', 'tracing_.rodata']));
    for (const map of frozen) {
      const shown = await bpfscope(['show', 'map', String(map.id), '--json']);
      expect(shown.code, shown.stderr).toBe(0);
      expect((JSON.parse(shown.stdout) as { sha256?: string }).sha256, map.name).toBe(await arrayHashFromBpftool(map.id));
    }
  });

  it('no hash where the kernel has none: unfrozen arrays, other types, listings; the refusals are the kernel’s', async () => {
    const unfrozen = mine.find((m) => m.type === 'array' && !m.frozen)!;
    const hash = mine.find((m) => m.type === 'hash')!;
    for (const map of [unfrozen, hash]) {
      expect((JSON.parse((await bpfscope(['show', 'map', String(map.id), '--json'])).stdout) as { sha256?: string }).sha256, map.name).toBeUndefined();
    }
    const listed = JSON.parse((await bpfscope(['ls', 'maps', '--json'])).stdout) as Array<{ sha256?: string }>;
    expect(listed.filter((m) => m.sha256 !== undefined)).toEqual([]);
    await expect(local.mapHash(unfrozen.id)).rejects.toMatchObject({ code: 'EPERM' });
    await expect(local.mapHash(hash.id)).rejects.toMatchObject({ code: 'EINVAL' });
    expect(await local.mapHash(999_999_999)).toBeNull();
  });
});
