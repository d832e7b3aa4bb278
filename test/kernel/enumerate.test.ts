// `bpfscope ls/show … --json` against `bpftool … show -j` on the same objects: every
// object loaded on the machine, ours (the fixtures) and anything else.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtures, startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { bpfscope, bpftoolJson, parseJsonExact, runCommand } from '../helpers/cli.js';
import { typeJsonValue, type TypeKind } from '../../main/kernel/names/index.js';

type Obj = Record<string, unknown> & { id: number };

const skip = ensureKernelEnv();
let fixtures: LoadedFixtures;

/** Fields that legitimately move between two reads taken a moment apart. */
const VOLATILE = new Set(['run_time_ns', 'run_cnt', 'recursion_misses', 'loaded_at']);

function normalise(value: unknown): unknown {
  return typeof value === 'number' || typeof value === 'bigint' ? String(value) : value;
}

/** Type-valued keys: bpftool 7.1 prints types newer than Linux 6.1 as bare numbers, we name them. */
const TYPE_KEYS: Record<string, TypeKind> = { type: 'prog', owner_prog_type: 'prog', attach_type: 'attach' };

function sameType(kind: TypeKind, ours: unknown, theirs: unknown): boolean {
  return typeof theirs === 'number' && ours === typeJsonValue(kind, theirs, 'linux-6.18');
}

/** Every key bpftool prints must be ours too, with the same value (numbers compared exactly as text). */
function expectSuperset(ours: Obj, theirs: Obj, what: string, kind: 'prog' | 'map' | 'link'): void {
  for (const [key, value] of Object.entries(theirs)) {
    expect(Object.keys(ours), `${what}: key ${key}`).toContain(key);
    const typeKind = key === 'type' ? kind : TYPE_KEYS[key];
    if (typeKind && sameType(typeKind, ours[key], value)) continue;
    if (key === 'loaded_at') {
      // bpftool and we each read the clocks once; the second can tick between.
      expect(Math.abs(Number(ours[key]) - Number(value)), `${what}: loaded_at`).toBeLessThanOrEqual(1);
    } else if (!VOLATILE.has(key)) {
      expect(JSON.stringify(ours[key], (_k, v) => normalise(v)), `${what}: ${key}`).toBe(JSON.stringify(value, (_k, v) => normalise(v)));
    }
  }
}

async function both(kind: 'prog' | 'map' | 'link'): Promise<{ ours: Obj[]; theirs: Obj[] }> {
  // Objects can come and go between the two commands: retry until both see the same ids.
  for (let attempt = 0; ; attempt++) {
    const result = await bpfscope(['ls', `${kind}s`, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const ours = parseJsonExact<Obj[]>(result.stdout);
    const theirs = await bpftoolJson<Obj[]>([kind, 'show']);
    const same = JSON.stringify(ours.map((o) => o.id)) === JSON.stringify(theirs.map((o) => o.id));
    if (same || attempt === 2) return { ours, theirs };
  }
}

describe.skipIf(skip)('enumeration matches bpftool', () => {
  beforeAll(async () => {
    buildFixtures();
    fixtures = await startFixtures();
  });
  afterAll(async () => {
    await fixtures?.stop();
  });

  for (const kind of ['prog', 'map', 'link'] as const) {
    it(`ls ${kind}s --json agrees with bpftool ${kind} show -j on every object`, async () => {
      const { ours, theirs } = await both(kind);
      expect(ours.map((o) => o.id)).toEqual(theirs.map((o) => o.id));
      const byId = new Map(ours.map((o) => [o.id, o]));
      for (const listed of theirs) {
        // bpftool 7.1's list mode keeps btf_id from the previous map when a map has none;
        // its single-object show is right, so a disagreement is settled by that.
        const mine = byId.get(listed.id)!;
        const agrees = (() => {
          try {
            expectSuperset(mine, listed, `${kind} ${listed.id}`, kind);
            return true;
          } catch {
            return false;
          }
        })();
        if (!agrees) expectSuperset(mine, await bpftoolJson<Obj>([kind, 'show', 'id', String(listed.id)]), `${kind} ${listed.id}`, kind);
      }
    });
  }

  it('lists every fixture object with the name and type bpftool shows', async () => {
    const progs = parseJsonExact<Obj[]>((await bpfscope(['ls', 'progs', '--json'])).stdout);
    const maps = parseJsonExact<Obj[]>((await bpfscope(['ls', 'maps', '--json'])).stdout);
    const links = parseJsonExact<Obj[]>((await bpfscope(['ls', 'links', '--json'])).stdout);
    const ids = (list: Obj[]) => new Map(list.map((o) => [o.id, o]));
    const [progById, mapById, linkById] = [ids(progs), ids(maps), ids(links)];
    expect(fixtures.report.programs.length).toBeGreaterThan(20);
    for (const p of fixtures.report.programs) {
      const ours = progById.get(p.id);
      expect(ours, `program ${p.name}`).toBeDefined();
      expect(ours!.name).toBe(p.name);
    }
    for (const m of fixtures.report.maps) expect(mapById.get(m.id)?.name, `map ${m.name}`).toBe(m.name);
    for (const l of fixtures.report.links) expect(linkById.get(l.id)?.prog_id, `link ${l.id}`).toBe(l.prog_id);
  });

  it('shows single objects like bpftool, and a clear error for one that is gone', async () => {
    const prog = fixtures.report.programs[0];
    const map = fixtures.report.maps[0];
    const link = fixtures.report.links[0];
    for (const [kind, id] of [['prog', prog.id], ['map', map.id], ['link', link.id]] as const) {
      const ours = parseJsonExact<Obj>((await bpfscope(['show', kind, String(id), '--json'])).stdout);
      expectSuperset(ours, await bpftoolJson<Obj>([kind, 'show', 'id', String(id)]), `${kind} ${id}`, kind);
      const text = await bpfscope(['show', kind, String(id)]);
      expect(text.stdout.startsWith(`${id}: `)).toBe(true);
    }
    const gone = await bpfscope(['show', 'prog', '4294967295']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/prog 4294967295: not loaded/);
  });

  it('fails with one clear error naming the capability when run without privilege', async () => {
    // Root without capabilities: the files stay readable, bpf() is refused.
    const setpriv = ['setpriv', '--bounding-set=-all', '--inh-caps=-all', '--'];
    for (const kind of ['progs', 'maps', 'links']) {
      const result = await bpfscope(['ls', kind, '--json'], setpriv);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/missing CAP_SYS_ADMIN/);
      expect(result.stderr.trim().split('\n').length).toBeLessThanOrEqual(2);
    }
    const check = await runCommand('setpriv', ['--bounding-set=-all', '--inh-caps=-all', '--', 'grep', 'CapEff', '/proc/self/status']);
    expect(check.stdout).toMatch(/CapEff:\s+0+\s*$/m);
  });
});
