// The access-analysis fixture (test/fixtures/bpf/access.bpf.c): one program per way of
// touching a map, built with the other fixtures, and what its source says each program does
// (the expectations the analysis is checked against, by map name).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMapInfo } from '../../main/kernel/info/index.js';
import type { HostSession } from '../../main/hosts/host-session.js';
import { programAccess } from '../../main/hosts/program-access.js';
import { buildFixtures, FIXTURE_BUILD_DIR } from './fixtures.js';

export const ACCESS_OBJECT = join(FIXTURE_BUILD_DIR, 'access.bpf.o');

/** Map name → accesses, as the comment above each program in access.bpf.c states them. `inner:NAME`: maps held in NAME. */
export const ACCESS_EXPECTED: Record<string, Record<string, string[]>> = {
  store_through_lookup: { counts: ['read', 'write'] },
  read_array: { slots: ['read'], per_cpu: ['read', 'write'] },
  globals: { 'access.bss': ['write'], 'access.data': ['read', 'write'], 'access.rodata': ['read'] },
  ring_reserve_submit: { events: ['emit'] },
  ring_dynptr: { events_dynptr: ['emit'] },
  perf_and_stacks: { perf_out: ['emit'], stacks: ['write'], recent: ['read', 'write'] },
  tail_caller: { programs: ['jump'] },
  queue_and_bloom: { work: ['write'], seen: ['read'] },
  task_storage: { task_notes: ['read', 'write'] },
  spin_locked: { guarded: ['read', 'write'] },
  map_in_map: { outer: ['read'], 'inner:outer': ['read', 'write'] },
  for_each_writes: { walked: ['read', 'write'] },
  // The struct initialiser is copied from a constant clang puts in .rodata.cst16.
  loop_callback: { looped: ['read', 'write'], '.rodata.cst16': ['read'] },
  subprog_writes: { slots: ['read', 'write'] },
  spill_map_pointer: { spilled: ['read', 'write'] },
};

/** Global data maps written and read directly (ld_imm64 of a value), by program. */
export const ACCESS_DIRECT: Record<string, string[]> = {
  globals: ['access.bss', 'access.data', 'access.rodata'],
  loop_callback: ['.rodata.cst16'],
};

/** Builds the fixtures (incremental); the path of the access object. */
export function buildAccessFixture(): string {
  buildFixtures();
  return ACCESS_OBJECT;
}

/** Map id → name, on this host. */
export async function mapNames(s: HostSession): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  for (const id of await s.host.listIds('map')) {
    const raw = await s.host.mapInfo(id);
    if (raw) names.set(id, decodeMapInfo(raw.info).name ?? '');
  }
  return names;
}

/** A program's accesses by map name (`inner:NAME` for maps held in NAME), the maps it touches directly, its untracked flows. */
export async function accessByName(s: HostSession, progId: number, names: Map<number, string>): Promise<{ access: Record<string, string[]>; direct: string[]; untracked: string[] }> {
  const result = await programAccess(s, progId);
  if (!result) throw new Error(`prog ${progId} gone`);
  const access: Record<string, string[]> = {};
  const direct: string[] = [];
  for (const m of result.report.maps) {
    const name = names.get(m.mapId) ?? `#${m.mapId}`;
    access[m.inner ? `inner:${name}` : name] = m.access;
    if (m.direct) direct.push(name);
  }
  return { access, direct: direct.sort(), untracked: result.report.untracked.map((u) => `${u.insn}: ${u.reason}`) };
}

/** Loads every program of the fixture (not attached) and pins it under pinDir; program name → id. The caller removes pinDir. */
export function loadAccessFixture(pinDir: string): Map<string, number> {
  execFileSync('bpftool', ['prog', 'loadall', buildAccessFixture(), pinDir]);
  const ids = new Map<string, number>();
  for (const name of readdirSync(pinDir)) {
    const shown = JSON.parse(execFileSync('bpftool', ['-j', 'prog', 'show', 'pinned', join(pinDir, name)], { encoding: 'utf8' })) as { id: number };
    ids.set(name, shown.id);
  }
  return ids;
}
