// The command palette's matching and ranking: characters in order, word starts and runs
// first, exact names and ids on top, tags and BTF names matched, matches marked.
import { describe, expect, it } from 'vitest';
import type { ProgramSummary } from '../../../main/api/records.js';
import { fuzzyMatch } from '../../../renderer/src/lib/palette/fuzzy.js';
import { btfItems, hostItems, objectItems, rankItems, viewItems } from '../../../renderer/src/lib/palette/palette-items.js';

const prog = (id: number, name: string, tag = 'a3bf9665c7dff785'): ProgramSummary => ({ id, name, tag, type: 'tracepoint' }) as ProgramSummary;

describe('fuzzy match', () => {
  it('needs every character in order, case-insensitively', () => {
    expect(fuzzyMatch('cgp', 'count_getpid')).toBeDefined();
    expect(fuzzyMatch('pgc', 'count_getpid')).toBeUndefined();
    expect(fuzzyMatch('getpid', 'COUNT_GETPID')?.positions).toEqual([6, 7, 8, 9, 10, 11]);
  });

  it('ranks exact, then prefix, then word starts, then scattered characters', () => {
    const score = (q: string, t: string): number => fuzzyMatch(q, t)!.score;
    expect(score('xdp_lb', 'xdp_lb')).toBeGreaterThan(score('xdp_lb', 'xdp_lb_v2'));
    expect(score('xdp', 'xdp_prog')).toBeGreaterThan(score('xdp', 'my_xdp'));
    expect(score('cg', 'count_getpid')).toBeGreaterThan(score('cg', 'trace_cgroup_mkdir_long_name'));
    // Word starts are preferred over an earlier plain occurrence: the `g` marked is getpid's.
    expect(fuzzyMatch('cg', 'count_getpid')!.positions).toEqual([0, 6]);
  });
});

describe('palette items', () => {
  const programs = [prog(12, 'count_getpid'), prog(120, 'count_getppid', 'ffee001122334455'), prog(7, 'xdp_lb')];
  const items = [
    ...objectItems('local', programs, [{ id: 33, name: 'getpid_counts', type: 'hash' } as never], []),
    ...viewItems('local'),
    ...hostItems([{ id: 'local', label: 'local', status: 'connected' }]),
  ];

  it('finds programs by name, id and tag, and opens them on their host', () => {
    expect(rankItems(items, 'count_getpid')[0]!.item).toMatchObject({ kind: 'program', id: 12, route: { host: 'local', view: 'programs', id: 12 } });
    expect(rankItems(items, '12')[0]!.item.id).toBe(12);
    expect(rankItems(items, '12').map((r) => r.item.id)).toContain(120);
    expect(rankItems(items, 'ffee00')[0]!.item.id).toBe(120);
    expect(rankItems(items, 'getpid_counts')[0]!.item).toMatchObject({ kind: 'map', id: 33 });
    expect(rankItems(items, 'maps')[0]!.item).toMatchObject({ kind: 'view', route: { view: 'maps' } });
    expect(rankItems(items, 'zzz')).toEqual([]);
  });

  it('marks matched characters in the title, BTF names inside their kind', () => {
    const [first] = rankItems(items, 'xdplb');
    expect(first!.positions).toEqual([0, 1, 2, 4, 5]);
    const [btf] = rankItems(btfItems('local', undefined, [{ id: 114, kind: 'struct', name: 'task_struct' }]), 'task_struct');
    expect(btf!.item).toMatchObject({ title: 'struct task_struct', route: { view: 'btf', id: 114 } });
    expect(btf!.positions[0]).toBe(7);
  });
});
