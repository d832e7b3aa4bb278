// Comparing two recorded states of a host (two snapshots, or a snapshot and the live host):
// programs added, removed or changed (tag), maps added or removed, map contents per key.
// Objects pair by id first (ids are not reused while the host runs), then by type and name,
// so a program reloaded under a new id shows as changed or reloaded rather than as a swap.

import { diffSnapshots, type MapSnapshot } from '../maps/snapshot.js';

export interface ProgramState {
  id: number;
  name: string;
  type: string;
  tag: string;
}

export interface MapState {
  id: number;
  name: string;
  type: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
}

export interface HostState {
  label: string;
  programs: ProgramState[];
  maps: MapState[];
  /** Contents by map id, where they were read. */
  contents: Map<number, MapSnapshot>;
  /** Maps whose contents hold only part of the map (an entry limit when read or recorded). */
  partial?: Set<number>;
}

export type Side = 'before' | 'after';

/** How key and value bytes are shown (BTF-typed where the caller has BTF, else hex). */
export interface EntryRenderer {
  key(side: Side, mapId: number, bytes: Uint8Array): string;
  value(side: Side, mapId: number, bytes: Uint8Array): string;
}

export interface ProgramChange {
  name: string;
  type: string;
  before: { id: number; tag: string };
  after: { id: number; tag: string };
  /** 'changed': the code differs (tag); 'reloaded': same code under a new id. */
  change: 'changed' | 'reloaded';
}

export interface EntryChange {
  key: string;
  before?: string;
  after?: string;
}

export interface MapContentDiff {
  name: string;
  before: number;
  after: number;
  added: number;
  removed: number;
  changed: number;
  /** The first entries of each kind, up to the limit. */
  entries: EntryChange[];
  truncated: boolean;
  /** One side holds only part of the map: keys missing from it say nothing, so only values
   * changed under keys read on both sides are listed (added and removed stay 0). */
  partial?: boolean;
}

export interface StateDiff {
  before: string;
  after: string;
  programs: { added: ProgramState[]; removed: ProgramState[]; changed: ProgramChange[] };
  maps: { added: MapState[]; removed: MapState[] };
  /** Maps present on both sides whose contents differ. */
  contents: MapContentDiff[];
}

/** Entries listed per map at most; the counts stay exact. */
export const MAX_LISTED_ENTRIES = 1000;

/** Pairs items by id, then the rest by identity (type + name); returns the pairs and leftovers. */
function pair<T extends { id: number }>(before: T[], after: T[], identity: (t: T) => string): { pairs: [T, T][]; removed: T[]; added: T[] } {
  const afterById = new Map(after.map((a) => [a.id, a]));
  const pairs: [T, T][] = [];
  const unmatchedBefore: T[] = [];
  const used = new Set<number>();
  for (const b of before) {
    const a = afterById.get(b.id);
    if (a && identity(a) === identity(b)) { pairs.push([b, a]); used.add(a.id); } else unmatchedBefore.push(b);
  }
  const byIdentity = new Map<string, T[]>();
  for (const a of after) {
    if (used.has(a.id)) continue;
    const list = byIdentity.get(identity(a)) ?? [];
    list.push(a);
    byIdentity.set(identity(a), list);
  }
  const removed: T[] = [];
  for (const b of unmatchedBefore) {
    const a = byIdentity.get(identity(b))?.shift();
    if (a) { pairs.push([b, a]); used.add(a.id); } else removed.push(b);
  }
  return { pairs, removed, added: after.filter((a) => !used.has(a.id)) };
}

function contentDiff(
  map: MapState, older: MapSnapshot, newer: MapSnapshot, render: EntryRenderer, beforeId: number, partial: boolean,
): MapContentDiff | undefined {
  const d = diffSnapshots(older, newer);
  if (partial) {
    d.added = [];
    d.removed = [];
  }
  if (d.added.length + d.removed.length + d.changed.length === 0) return undefined;
  const entries: EntryChange[] = [];
  const room = () => entries.length < MAX_LISTED_ENTRIES;
  const after = (ref: number) => render.value('after', map.id, newer.value(ref));
  const before = (ref: number) => render.value('before', beforeId, older.value(ref));
  for (const ref of d.added) if (room()) entries.push({ key: render.key('after', map.id, newer.key(ref)), after: after(ref) });
  for (const [ref, old] of d.changed) if (room()) entries.push({ key: render.key('after', map.id, newer.key(ref)), before: before(old), after: after(ref) });
  for (const ref of d.removed) if (room()) entries.push({ key: render.key('before', beforeId, older.key(ref)), before: before(ref) });
  const diff: MapContentDiff = {
    name: map.name, before: older.size, after: newer.size,
    added: d.added.length, removed: d.removed.length, changed: d.changed.length,
    entries, truncated: d.added.length + d.removed.length + d.changed.length > entries.length,
  };
  if (partial) diff.partial = true;
  return diff;
}

export function diffStates(before: HostState, after: HostState, render: EntryRenderer): StateDiff {
  const progs = pair(before.programs, after.programs, (p) => `${p.type}:${p.name}`);
  const changed: ProgramChange[] = [];
  for (const [b, a] of progs.pairs) {
    if (b.tag === a.tag && b.id === a.id) continue;
    changed.push({ name: a.name, type: a.type, before: { id: b.id, tag: b.tag }, after: { id: a.id, tag: a.tag }, change: b.tag === a.tag ? 'reloaded' : 'changed' });
  }
  const maps = pair(before.maps, after.maps, (m) => `${m.type}:${m.name}:${m.keySize}:${m.valueSize}`);
  const contents: MapContentDiff[] = [];
  for (const [b, a] of maps.pairs) {
    const older = before.contents.get(b.id);
    const newer = after.contents.get(a.id);
    if (!older || !newer) continue;
    const partial = before.partial?.has(b.id) === true || after.partial?.has(a.id) === true;
    const d = contentDiff(a, older, newer, render, b.id, partial);
    if (d) contents.push(d);
  }
  return {
    before: before.label, after: after.label,
    programs: { added: progs.added, removed: progs.removed, changed },
    maps: { added: maps.added, removed: maps.removed },
    contents,
  };
}

/** The diff as text: one line per difference, `+`/`-`/`~` like a patch. */
export function renderDiffText(diff: StateDiff): string {
  const lines = [`--- ${diff.before}`, `+++ ${diff.after}`];
  for (const p of diff.programs.removed) lines.push(`- prog ${p.id} ${p.type} ${p.name} tag ${p.tag}`);
  for (const p of diff.programs.added) lines.push(`+ prog ${p.id} ${p.type} ${p.name} tag ${p.tag}`);
  for (const c of diff.programs.changed) {
    lines.push(`~ prog ${c.type} ${c.name}: ${c.change} (id ${c.before.id} → ${c.after.id}, tag ${c.before.tag} → ${c.after.tag})`);
  }
  for (const m of diff.maps.removed) lines.push(`- map ${m.id} ${m.type} ${m.name}`);
  for (const m of diff.maps.added) lines.push(`+ map ${m.id} ${m.type} ${m.name}`);
  for (const c of diff.contents) {
    lines.push(`~ map ${c.name}: ${c.before} → ${c.after} entries (+${c.added} -${c.removed} ~${c.changed})${c.partial ? ' (partial read: changed values only)' : ''}`);
    for (const e of c.entries) {
      if (e.before === undefined) lines.push(`    + ${e.key}: ${e.after}`);
      else if (e.after === undefined) lines.push(`    - ${e.key}: ${e.before}`);
      else lines.push(`    ~ ${e.key}: ${e.before} → ${e.after}`);
    }
    if (c.truncated) lines.push(`    … (first ${c.entries.length} shown)`);
  }
  if (lines.length === 2) lines.push('no differences');
  return `${lines.join('\n')}\n`;
}
