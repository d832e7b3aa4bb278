// `bpfscope btf ID --raw` against `bpftool btf dump id ID format raw` for every BTF object
// loaded (vmlinux, modules, the fixtures' program BTF), and `--c` accepted by clang.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtures, startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { bpfscope, bpftoolJson, runCommand } from '../helpers/cli.js';

const skip = ensureKernelEnv();
let fixtures: LoadedFixtures;

describe.skipIf(skip)('btf command matches bpftool', () => {
  beforeAll(async () => {
    buildFixtures();
    fixtures = await startFixtures({ only: ['maps', 'tracing'] });
  });
  afterAll(async () => {
    await fixtures?.stop();
  });

  it('prints every loaded BTF object exactly as bpftool format raw', async () => {
    const objects = await bpftoolJson<Array<{ id: number; name?: string }>>(['btf', 'show']);
    const fixtureBtf = new Set((await bpftoolJson<Array<{ id: number; btf_id?: number }>>(['map', 'show'])).filter((m) => fixtures.report.maps.some((f) => f.id === m.id)).map((m) => m.btf_id));
    expect(fixtureBtf.size).toBeGreaterThan(0);
    const wanted = objects.filter((o) => o.name === 'vmlinux' || fixtureBtf.has(o.id));
    for (const { id } of wanted) {
      const ours = await bpfscope(['btf', String(id), '--raw']);
      expect(ours.code, ours.stderr).toBe(0);
      const theirs = await runCommand('bpftool', ['btf', 'dump', 'id', String(id), 'format', 'raw']);
      expect(ours.stdout === theirs.stdout, `btf ${id}: raw listing differs`).toBe(true);
    }
  });

  it('prints a fixture BTF as C that clang compiles', async () => {
    const map = fixtures.map('hash_map');
    const info = await bpftoolJson<{ btf_id: number }>(['map', 'show', 'id', String(map.id)]);
    const c = await bpfscope(['btf', String(info.btf_id), '--c']);
    expect(c.code).toBe(0);
    expect(c.stdout).toMatch(/struct fixture_value \{/);
    const file = join(mkdtempSync(join(tmpdir(), 'bpfscope-btf-')), 'types.h');
    writeFileSync(file, c.stdout);
    execFileSync('clang', ['-fsyntax-only', '-target', 'bpf', '-x', 'c', file]);
  });

  it('says so when the BTF object is not loaded', async () => {
    const result = await bpfscope(['btf', '4294967295']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/btf 4294967295: not loaded on local/);
  });
});
