// `bpfscope btf ID --raw` and `--c` byte for byte against `bpftool btf dump id ID format raw|c`
// for every BTF object loaded on this host (vmlinux, modules, the fixtures', an object loaded by
// bpftool's own libbpf, and whatever else runs here), the C compiled by clang as users compile
// vmlinux.h; and compiled objects (`--host objfile:X.o`) against `bpftool btf dump file X.o`.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, bpfscope, bpftoolJson } from '../helpers/cli.js';
import { buildFixtures, FIXTURE_BUILD_DIR, startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

const run = promisify(execFile);
const skip = ensureKernelEnv();
const BTF_SOURCES = join(FIXTURE_BUILD_DIR, '..', 'btf');
/** Clang-built objects beside the fixtures: every BTF kind, map shapes, C the printer must get right. */
const SOURCES = ['kinds', 'maps', 'fast-shapes', 'c-shapes'];

let fixtures: LoadedFixtures;
let work: string;
let pinDir: string;
/** The BTF of c-shapes.c as `bpftool prog loadall` (its libbpf, not our loader) loaded it. */
let loadedByBpftool: number;

interface Output {
  code: number;
  stdout: Buffer;
  stderr: string;
}

async function runBytes(file: string, args: string[]): Promise<Output> {
  try {
    const { stdout, stderr } = await run(file, args, { maxBuffer: 1 << 30, encoding: 'buffer' });
    return { code: 0, stdout, stderr: stderr.toString() };
  } catch (error) {
    const e = error as { code?: number; stdout?: Buffer; stderr?: Buffer };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? Buffer.alloc(0), stderr: String(e.stderr ?? '') };
  }
}

/** Runs `fn` over `items`, two at a time (the machine has two cores). */
async function eachLimited<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all([worker(), worker()]);
}

/** Compiles `header` into a BPF object as a program including vmlinux.h would. */
async function clangCompiles(name: string, header: Buffer): Promise<void> {
  const dir = join(work, 'cc');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.h`), header);
  writeFileSync(join(dir, `${name}.c`), `#include "${name}.h"\n\nchar _license[] __attribute__((section("license"), used)) = "GPL";\n`);
  const result = await runBytes('clang', ['-target', 'bpf', '-O2', '-g', '-c', join(dir, `${name}.c`), '-o', join(dir, `${name}.o`)]);
  expect(result.code, `clang on btf ${name}:\n${result.stderr.slice(0, 2000)}`).toBe(0);
}

describe.skipIf(skip)('btf command matches bpftool', () => {
  beforeAll(async () => {
    buildFixtures();
    fixtures = await startFixtures({ only: ['maps', 'tracing'] });
    work = mkdtempSync(join(tmpdir(), 'bpfscope-btf-'));
    for (const name of SOURCES) {
      await run('clang', ['-target', 'bpf', '-g', '-O2', '-c', join(BTF_SOURCES, `${name}.c`), '-o', join(work, `${name}.o`)]);
    }
    pinDir = `/sys/fs/bpf/bpfscope-btf-test-${process.pid}`;
    await run('bpftool', ['prog', 'loadall', join(work, 'c-shapes.o'), pinDir]);
    loadedByBpftool = (await bpftoolJson<{ btf_id: number }>(['prog', 'show', 'pinned', join(pinDir, 'c_shapes')])).btf_id;
  }, 120_000);
  afterAll(async () => {
    if (pinDir) rmSync(pinDir, { recursive: true, force: true });
    await fixtures?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('prints every loaded BTF object exactly as bpftool, raw and C, and the C compiles', async () => {
    const objects = await bpftoolJson<Array<{ id: number; name?: string; kernel?: boolean }>>(['btf', 'show']);
    const fixtureBtf = (await bpftoolJson<Array<{ id: number; btf_id?: number }>>(['map', 'show']))
      .filter((m) => fixtures.report.maps.some((f) => f.id === m.id) && m.btf_id).map((m) => m.btf_id!);
    expect(fixtureBtf.length).toBeGreaterThan(0);
    // These cannot go away during the test; other processes' objects may, and are skipped then.
    const mustCompare = new Set([...objects.filter((o) => o.kernel || o.name === 'vmlinux').map((o) => o.id), ...fixtureBtf, loadedByBpftool]);
    const compared = new Set<number>();
    const compiled = new Set<string>();
    await eachLimited(objects.map((o) => o.id), async (id) => {
      for (const format of ['raw', 'c'] as const) {
        const theirs = await runBytes('bpftool', ['btf', 'dump', 'id', String(id), 'format', format]);
        const ours = await runBytes(process.execPath, [BIN, 'btf', String(id), `--${format}`]);
        if ((theirs.code !== 0 || ours.code !== 0) && !mustCompare.has(id)) return; // unloaded meanwhile
        expect(theirs.code, `bpftool btf ${id}: ${theirs.stderr}`).toBe(0);
        expect(ours.code, `bpfscope btf ${id} --${format}: ${ours.stderr}`).toBe(0);
        expect(ours.stdout.equals(theirs.stdout), `btf ${id} --${format} differs from bpftool`).toBe(true);
        if (format === 'c') {
          const digest = createHash('sha256').update(ours.stdout).digest('hex');
          if (!compiled.has(digest)) {
            compiled.add(digest);
            await clangCompiles(String(id), ours.stdout);
          }
        }
      }
      compared.add(id);
    });
    expect([...mustCompare].filter((id) => !compared.has(id))).toEqual([]);
    console.log(`btf: ${compared.size} BTF objects identical to bpftool (raw and C), ${compiled.size} distinct headers compiled`);
  }, 600_000);

  it('prints compiled objects as bpftool btf dump file … format c', async () => {
    const objects = [
      ...readdirSync(FIXTURE_BUILD_DIR).filter((f) => f.endsWith('.bpf.o')).map((f) => join(FIXTURE_BUILD_DIR, f)),
      ...SOURCES.map((name) => join(work, `${name}.o`)),
    ];
    expect(objects.length).toBeGreaterThan(SOURCES.length);
    await eachLimited(objects, async (file) => {
      const theirs = await runBytes('bpftool', ['btf', 'dump', 'file', file, 'format', 'c']);
      const ours = await runBytes(process.execPath, [BIN, 'btf', '1', '--c', '--host', `objfile:${file}`]);
      expect(theirs.code, `bpftool on ${file}: ${theirs.stderr}`).toBe(0);
      expect(ours.code, `bpfscope on ${file}: ${ours.stderr}`).toBe(0);
      expect(ours.stdout.equals(theirs.stdout), `${file}: C differs from bpftool`).toBe(true);
    });
  }, 300_000);

  it('says so when the BTF object is not loaded', async () => {
    const result = await bpfscope(['btf', '4294967295']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/btf 4294967295: not loaded on local/);
  });
});
