// Compiled object files as hosts (`--host objfile:FILE.o`). Every fixture object opens with every
// CLI command; its listings agree with `llvm-objdump -d` instruction by instruction and its BTF
// with `bpftool btf dump file`. Objects that libbpf can load here (`bpftool prog loadall`) are
// then checked against what the kernel reports after loading them: program tags (so the linked
// code — subprograms appended, calls and map loads relocated — is byte for byte what libbpf
// submitted), map_ids, map records, the BTF as loaded, and global data as `bpftool map dump -j`
// shows it before any program ran. Damaged and foreign files give clear errors.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHN_UNDEF } from '../../main/kernel/elf/index.js';
import { parseBpfObject, type BpfObject } from '../../main/kernel/objfile/index.js';
import { bpfscope, bpftoolJson, parseJsonExact } from '../helpers/cli.js';
import { buildFixtures, FIXTURE_BUILD_DIR } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { expectListingLikeLlvmObjdump, expectObjfileBtfLikeBpftool, llvmObjdumpFunctions, type InsnJson } from '../helpers/objfile-compare.js';
import { loadObject } from '../helpers/map-shapes.js';

const skip = ensureKernelEnv();
const dir = mkdtempSync(join(tmpdir(), 'bpfscope-objfile-'));
/** Fixture objects bpftool 7.1 (libbpf 1.1) loads here without attaching; the others need attach targets. */
const LOADABLE = new Set(['maps', 'cgroup', 'kprobes', 'struct_ops', 'programs']);

interface ProgJson { id: number; name: string; type: string; tag: string; map_ids?: number[]; btf_id?: number }
const BPF_F_MMAPABLE = 1 << 10;

interface MapJson { id: number; name: string; type: string; flags: number; bytes_key: number; bytes_value: number; max_entries: number; frozen?: number; btf_id?: number; btf_vmlinux_value_type_id?: number }

/** A map's record as compared with the kernel's. */
function mapFields(m: MapJson): Record<string, unknown> {
  return {
    // bpftool's own libbpf maps every data section BPF_F_MMAPABLE; the system libbpf's flags are checked apart.
    name: m.name, type: m.type, flags: m.name.includes('.') ? m.flags & ~BPF_F_MMAPABLE : m.flags,
    bytes_key: m.bytes_key, bytes_value: m.bytes_value, frozen: m.frozen, btf: m.btf_id !== undefined, max_entries: m.max_entries,
  };
}

async function ok(args: string[]): Promise<string> {
  const result = await bpfscope(args);
  expect(result.stderr, args.join(' ')).toBe('');
  expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout;
}

/** The program has CO-RE relocation records (BTF.ext) or extern (kfunc, ksym) references within its instructions. */
function kernelResolved(obj: BpfObject, name: string): boolean {
  const prog = obj.programs.find((p) => p.name === name)!;
  const inside = (offset: number) => offset / 8 >= prog.insnOffset && offset / 8 < prog.insnOffset + prog.insnCount;
  const section = obj.elf.sections[prog.sectionIndex]!;
  const externs = (obj.elf.relocations.get(section.index) ?? []).filter((r) => obj.elf.symbols[r.symbol]?.sectionIndex === SHN_UNDEF);
  return (obj.btfExt?.coreRelos.get(prog.section) ?? []).some((r) => inside(r.insnOff)) || externs.some((r) => inside(r.offset));
}

function compile(source: string): string {
  const out = join(dir, `${basename(source, '.c')}.o`);
  execFileSync('clang', ['-O2', '-g', '-target', 'bpf', '-mcpu=v3', '-I/usr/include/x86_64-linux-gnu', '-c', source, '-o', out]);
  return out;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const objects: Array<{ name: string; path: string }> = [];

beforeAll(() => {
  buildFixtures();
  for (const name of ['maps', 'tracing', 'trampoline', 'kprobes', 'net', 'cgroup', 'struct_ops', 'big']) {
    objects.push({ name, path: join(FIXTURE_BUILD_DIR, `${name}.bpf.o`) });
  }
  // The fixtures call no .text subprograms: this one does (static __noinline functions).
  objects.push({ name: 'programs', path: compile(join(FIXTURE_BUILD_DIR, '..', 'isa', 'programs.c')) });
}, 120_000);

describe('every fixture object opens as a host', () => {
  it('programs, listings (llvm-objdump), maps, globals and BTF (bpftool btf dump file)', { timeout: 300_000 }, async () => {
    for (const { name, path } of objects) {
      const host = ['--host', `objfile:${path}`];
      const summary = JSON.parse(await ok(['obj', path, '--json'])) as { programs: { name: string; type: string }[]; maps: unknown[]; globals: { name: string; size: number }[] };
      const progs = parseJsonExact<ProgJson[]>(await ok(['ls', 'progs', '--json', ...host]));
      expect(progs.map((p) => p.name), name).toEqual(summary.programs.map((p) => p.name));
      expect(progs.map((p) => p.type), name).toEqual(summary.programs.map((p) => p.type || 'unspec'));
      expect(progs.map((p) => p.id), name).toEqual(progs.map((_, i) => i + 1));

      const functions = llvmObjdumpFunctions(path);
      for (const prog of progs) {
        const listing = JSON.parse(await ok(['dump', 'prog', String(prog.id), '--json', ...host])) as InsnJson[];
        expectListingLikeLlvmObjdump(listing, functions, `${name}/${prog.name}`);
        const text = await ok(['dump', 'prog', String(prog.id), ...host]);
        expect(text, `${name}/${prog.name}: source lines`).toMatch(/^; .+$/m);
        // Nothing in a file is attached: the detail shows the program with no attach points.
        const shown = JSON.parse(await ok(['show', 'prog', String(prog.id), '--json', ...host])) as ProgJson & { attach_points: unknown[] };
        expect(shown.tag, `${name}/${prog.name}`).toBe(prog.tag);
        expect(shown.attach_points, `${name}/${prog.name}`).toEqual([]);
      }
      expect(JSON.parse(await ok(['ls', 'cgroup', '--json', ...host])), `${name}: cgroup tree`).toEqual([]);

      const maps = parseJsonExact<MapJson[]>(await ok(['ls', 'maps', '--json', ...host]));
      const data = summary.globals.filter((g) => g.size > 0);
      expect(maps.length, name).toBe(summary.maps.length + data.length);
      for (const g of data) {
        const map = maps.find((m) => m.name.endsWith(g.name) && m.bytes_value === g.size);
        expect(map, `${name}: map for ${g.name}`).toBeDefined();
        const dump = JSON.parse(await ok(['dump', 'map', String(map!.id), '--json', ...host])) as { formatted?: { value: Record<string, unknown> } }[];
        expect(dump.length).toBe(1);
        if (map!.btf_id) expect(Object.keys(dump[0]!.formatted!.value), `${name}: ${g.name}`).toEqual([g.name]);
      }

      await expectObjfileBtfLikeBpftool(path, name);
    }
  });

  it('global data maps hold the initial values, decoded through BTF', async () => {
    const path = join(FIXTURE_BUILD_DIR, 'maps.bpf.o');
    const maps = parseJsonExact<MapJson[]>(await ok(['ls', 'maps', '--json', '--host', `objfile:${path}`]));
    const data = maps.find((m) => m.name === 'maps.data')!;
    const dump = await ok(['dump', 'map', String(data.id), '--json', '--host', `objfile:${path}`]);
    expect(dump).toContain('"data_label":"bpfscope-data"');
    expect(dump).toContain('"data_table":[1,-2,3,-4]');
    expect(dump).toContain('"data_point":{"x":5,"y":-5}');
  });

  it('diff compares object files', async () => {
    const maps = join(FIXTURE_BUILD_DIR, 'maps.bpf.o');
    const programs = objects.find((o) => o.name === 'programs')!.path;
    const same = JSON.parse(await ok(['diff', `objfile:${maps}`, `objfile:${maps}`, '--json'])) as { programs: Record<string, unknown[]>; contents: unknown[] };
    expect(same.programs).toEqual({ added: [], removed: [], changed: [] });
    expect(same.contents).toEqual([]);
    const other = JSON.parse(await ok(['diff', `objfile:${maps}`, `objfile:${programs}`, '--json'])) as { programs: Record<string, { name: string }[]> };
    expect(other.programs.removed!.map((p) => p.name)).toEqual(['count_getpid', 'tail_a', 'tail_b', 'emit_getppid', 'user_stack_getp']);
    expect(other.programs.added!.map((p) => p.name)).toEqual(['count_packets', 'legacy_loads', 'xdp_arith', 'trace_getpid']);
  });

  it('what only a live kernel has is refused with the reason', async () => {
    const path = join(FIXTURE_BUILD_DIR, 'maps.bpf.o');
    const host = ['--host', `objfile:${path}`];
    const maps = parseJsonExact<MapJson[]>(await ok(['ls', 'maps', '--json', ...host]));
    const hash = maps.find((m) => m.name === 'hash_map')!;
    const dump = await bpfscope(['dump', 'map', String(hash.id), ...host]);
    expect(dump.code).not.toBe(0);
    expect(dump.stderr).toMatch(/objfile:maps\.bpf\.o: map \d+ \(hash_map\) has no contents: they exist only once the object is loaded/);
    expect(await ok(['ls', 'links', '--json', ...host])).toBe('[]\n');
  });
});

describe('damaged and foreign files', () => {
  it.each([
    ['truncated', (o: Buffer) => o.subarray(0, 100), /cut\.o: elf: /],
    ['section table cut off', (o: Buffer) => o.subarray(0, o.length - 64), /cut\.o: elf: section headers \(\d+\): bytes .* past end of file/],
    ['not ELF', () => Buffer.from('just text\n'), /cut\.o: not a BPF object file \(no ELF header\)/],
    ['ELF for another machine', (o: Buffer) => Buffer.concat([o.subarray(0, 18), Buffer.from([62, 0]), o.subarray(20)]), /cut\.o: object: machine 62: not a BPF object/],
  ])('%s', async (_what, damage, message) => {
    const file = join(dir, 'cut.o');
    writeFileSync(file, damage(readFileSync(join(FIXTURE_BUILD_DIR, 'maps.bpf.o'))));
    const result = await bpfscope(['ls', 'progs', '--host', `objfile:${file}`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/RangeError|TypeError|at .*\.js:\d+/);
  });

  it('serve --object refuses a damaged object before serving', async () => {
    const file = join(dir, 'half.o');
    const bytes = readFileSync(join(FIXTURE_BUILD_DIR, 'maps.bpf.o'));
    writeFileSync(file, bytes.subarray(0, bytes.length >> 1));
    const result = await bpfscope(['serve', '--port', '0', '--object', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^bpfscope: half\.o: elf: /);
  });

  it('a missing file says so', async () => {
    const result = await bpfscope(['ls', 'maps', '--host', `objfile:${join(dir, 'absent.o')}`]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/absent\.o: no such file/);
  });
});

describe.skipIf(skip)('the same objects loaded by libbpf (bpftool prog loadall)', () => {
  it('tags, map_ids, map records, BTF and global data match what the kernel reports', { timeout: 300_000 }, async () => {
    mkdirSync('/sys/fs/bpf', { recursive: true });
    for (const { name, path } of objects.filter((o) => LOADABLE.has(o.name))) {
      const pinDir = `/sys/fs/bpf/bpfscope-objfile-${name}-${process.pid}`;
      const mapPins = `${pinDir}-maps`;
      rmSync(pinDir, { recursive: true, force: true });
      rmSync(mapPins, { recursive: true, force: true });
      // A copy named like the fixture: libbpf prefixes global data map names with the object's name.
      const copy = join(dir, `${name}.o`);
      if (copy !== path) copyFileSync(path, copy);
      execFileSync('bpftool', ['prog', 'loadall', copy, pinDir, 'pinmaps', mapPins]);
      try {
        const host = ['--host', `objfile:${copy}`];
        const ours = parseJsonExact<ProgJson[]>(await ok(['ls', 'progs', '--json', ...host]));
        const ourMaps = new Map(parseJsonExact<MapJson[]>(await ok(['ls', 'maps', '--json', ...host])).map((m) => [m.id, m]));
        const object = parseBpfObject(new Uint8Array(readFileSync(copy)));
        const pinned = readdirSync(pinDir);
        expect(pinned.length, name).toBeGreaterThan(0);
        let btfId: number | undefined;
        for (const pin of pinned) {
          const live = await bpftoolJson<ProgJson>(['prog', 'show', 'pinned', join(pinDir, pin)]);
          const mine = ours.find((p) => p.name === live.name);
          expect(mine, `${name}/${live.name}`).toBeDefined();
          // CO-RE relocations and kfunc ids are resolved against the running kernel: only libbpf knows the result.
          if (!kernelResolved(object, live.name)) expect(mine!.tag, `${name}/${live.name}: tag`).toBe(live.tag);
          else expect(mine!.tag, `${name}/${live.name}: tag`).toMatch(/^[0-9a-f]{16}$/);
          expect(mine!.type, `${name}/${live.name}: type`).toBe(live.type);
          const liveMaps = await Promise.all((live.map_ids ?? []).map((id) => bpftoolJson<MapJson>(['map', 'show', 'id', String(id)])));
          expect((mine!.map_ids ?? []).map((id) => ourMaps.get(id)?.name), `${name}/${live.name}: map_ids`).toEqual(liveMaps.map((m) => m.name));
          for (const [i, liveMap] of liveMaps.entries()) {
            const mineMap = ourMaps.get(mine!.map_ids![i]!)!;
            expect(mapFields(mineMap), `${name}/${live.name}: map ${liveMap.name}`).toEqual(mapFields(liveMap));
            if (liveMap.type === 'array' && liveMap.max_entries === 1 && liveMap.name.includes('.')) {
              const liveDump = await bpftoolJson<unknown>(['map', 'dump', 'id', String(liveMap.id)]);
              const ourDump = JSON.parse(await ok(['dump', 'map', String(mineMap.id), '--json', ...host])) as unknown;
              expect(ourDump, `${name}: ${liveMap.name} contents`).toEqual(liveDump);
            }
          }
          btfId ??= live.btf_id;
        }
        // Every map libbpf created, those no program uses included, as the kernel reports it
        // (flags the kernel adds, struct_ops values sized by this kernel's types).
        const allMaps = await Promise.all(readdirSync(mapPins).map((pin) => bpftoolJson<MapJson>(['map', 'show', 'pinned', join(mapPins, pin)])));
        expect(allMaps.map((m) => m.name).sort(), `${name}: maps`).toEqual([...ourMaps.values()].map((m) => m.name).sort());
        for (const liveMap of allMaps) {
          const mineMap = [...ourMaps.values()].find((m) => m.name === liveMap.name)!;
          expect(mapFields(mineMap), `${name}: map ${liveMap.name}`).toEqual(mapFields(liveMap));
          // bpftool 7.1 leaves this out: the kernel's record as our live host reads it.
          const liveShown = parseJsonExact<MapJson>(await ok(['show', 'map', String(liveMap.id), '--json']));
          expect(mineMap.btf_vmlinux_value_type_id, `${name}: map ${liveMap.name}`).toBe(liveShown.btf_vmlinux_value_type_id);
        }
        // Data sections' flags as the system libbpf (what loaders built on libbpf-dev use) creates them.
        const system = await loadObject(copy);
        try {
          for (const [mapName, id] of system.ids) {
            if (!mapName.includes('.')) continue;
            const liveMap = await bpftoolJson<MapJson>(['map', 'show', 'id', String(id)]);
            const mineMap = [...ourMaps.values()].find((m) => m.name === liveMap.name);
            expect(mineMap?.flags, `${name}: ${liveMap.name} flags (system libbpf)`).toBe(liveMap.flags);
          }
        } finally {
          await system.stop();
        }
        // libbpf also rewrites the BTF of extern (__ksym, __kconfig) declarations, which this host does not.
        const externs = object.btf?.findByName('.ksyms', 'datasec').length || object.btf?.findByName('.kconfig', 'datasec').length;
        if (btfId !== undefined && !externs) {
          const liveBtf = execFileSync('bpftool', ['btf', 'dump', 'id', String(btfId)], { encoding: 'utf8', maxBuffer: 64 << 20 });
          expect(await ok(['btf', '1', '--raw', ...host]), `${name}: BTF as loaded`).toBe(liveBtf);
        }
      } finally {
        rmSync(pinDir, { recursive: true, force: true });
        rmSync(mapPins, { recursive: true, force: true });
      }
    }
  });
});
