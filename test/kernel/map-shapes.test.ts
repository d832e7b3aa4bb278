// `dump map ID` and `dump map ID --json` byte for byte against bpftool 7.1 on maps of many
// BTF shapes loaded into the kernel: the bench's table of shapes (every kind bpftool prints)
// and maps of random struct/union types drawn from a seed, each filled with seeded random
// entries by a libbpf loader (test/fixtures/filler), plus the object's .rodata/.data/.bss.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bpfscope } from '../helpers/cli.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { loadShapes, randomShapes, SHAPES, type LoadedShapes, type MapShapeRow } from '../helpers/map-shapes.js';

const skipReason = ensureKernelEnv();
const SEED = Number(process.env.BPFSCOPE_SHAPES_SEED ?? 20261206);
const RANDOM_MAPS = 40;

/** Global data in every section libbpf maps: adjacent bools (false then true), a string, a pointer. */
const GLOBALS = `
const volatile bool filter_pid = 0;
const volatile bool filter_cg = 1;
const volatile char rodata_name[8] = "ro'\\\\\\"x";
volatile u64 data_counter = 42;
volatile void *data_ptr = 0;
volatile s32 bss_value;
volatile bool bss_flags[3];
`;

function bpftool(id: number, json: boolean): { stdout: string; status: number | null } {
  const r = spawnSync('bpftool', ['map', 'dump', 'id', String(id), ...(json ? ['-j'] : [])], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return { stdout: r.stdout, status: r.status };
}

describe.skipIf(skipReason !== undefined)(`map dumps of many shapes${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let loaded: LoadedShapes;
  const rows: MapShapeRow[] = [...SHAPES.map((row) => ({ ...row, entries: 300 })), ...randomShapes(SEED, RANDOM_MAPS)];

  beforeAll(async () => {
    loaded = await loadShapes(rows, SEED, GLOBALS);
  }, 120_000);

  afterAll(async () => {
    await loaded?.stop();
  });

  it('loads every shape and the data sections', () => {
    for (const row of rows) expect(loaded.ids.has(row.name), row.name).toBe(true);
    for (const section of ['.rodata', '.data', '.bss']) expect([...loaded.ids.keys()].some((n) => n.endsWith(section)), section).toBe(true);
    // libbpf loads the maps without BTF when the kernel refuses the object's: every dump would
    // then be hex only, and the formatted output of this seed's shapes untested.
    const shows = JSON.parse(spawnSync('bpftool', ['-j', 'map', 'show'], { encoding: 'utf8', maxBuffer: 1 << 26 }).stdout) as Array<{ id: number; btf_id?: number }>;
    const withoutBtf = [...loaded.ids].filter(([, id]) => !shows.find((m) => m.id === id)?.btf_id).map(([name]) => name);
    expect(withoutBtf, `seed ${SEED}: maps loaded without BTF (the filler's stderr has the kernel's BTF log)`).toEqual([]);
  });

  it.each(['text', 'json'] as const)('dump map (%s) equals bpftool on every map', async (mode) => {
    const json = mode === 'json';
    const differ: string[] = [];
    for (const [name, id] of loaded.ids) {
      const peer = bpftool(id, json);
      expect(peer.status, `bpftool on ${name}`).toBe(0);
      const ours = await bpfscope(['dump', 'map', String(id), ...(json ? ['--json'] : [])]);
      expect(ours.code, `${name}: ${ours.stderr}`).toBe(0);
      if (ours.stdout !== peer.stdout) differ.push(`${name} (id ${id})`);
    }
    expect(differ, `seed ${SEED}`).toEqual([]);
  }, 300_000);

  it('prints adjacent bools in .rodata as bpftool does (false then true), loaded and offline', async () => {
    const id = [...loaded.ids].find(([n]) => n.endsWith('.rodata'))![1];
    const ours = await bpfscope(['dump', 'map', String(id), '--json']);
    expect(ours.stdout).toContain('{"filter_pid":false},{"filter_cg":true}');
    expect(ours.stdout).toBe(bpftool(id, true).stdout);
    // The object file before loading: its data sections dump as the loaded maps do (no program ran).
    const host = ['--host', `objfile:${loaded.object}`];
    const offline = JSON.parse((await bpfscope(['ls', 'maps', '--json', ...host])).stdout) as Array<{ id: number; name: string }>;
    for (const section of ['.rodata', '.data', '.bss']) {
      const live = [...loaded.ids].find(([n]) => n.endsWith(section))![1];
      const file = offline.find((m) => m.name.endsWith(section))!;
      for (const json of [true, false]) {
        const dumped = await bpfscope(['dump', 'map', String(file.id), ...(json ? ['--json'] : []), ...host]);
        expect(dumped.stdout, `${section} ${json ? 'json' : 'text'}`).toBe(bpftool(live, json).stdout);
      }
    }
  });
});
