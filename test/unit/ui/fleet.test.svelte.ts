// The all-hosts programs table state: rows of several hosts from a listFleetPrograms answer,
// the host and drift facets, sorting by host, and the deep link of the view.
import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute } from '../../../renderer/src/lib/app/route.js';
import { FLEET_COLUMNS, fleetRows, type FleetAnswer } from '../../../renderer/src/lib/fleet/fleet-columns.js';
import { TableState } from '../../../renderer/src/lib/objects/table-state.svelte.js';

function answer(hosts: string[], perHost: number): FleetAnswer {
  return {
    hosts: hosts.map((host) => ({ host, label: `label-${host}`, programs: perHost })),
    programs: hosts.flatMap((host, h) =>
      Array.from({ length: perHost }, (_, i) => ({
        host,
        drift: i === 0,
        program: { id: i + 1, type: i % 2 ? 'kprobe' : 'xdp', name: `prog_${i}`, tag: i === 0 ? `${h}`.repeat(16) : 'aa'.repeat(8) },
      })),
    ),
    failed: [],
    skipped: [],
  };
}

describe('all-hosts programs table', () => {
  it('shows every host’s rows under its label, filtered by host and by drift, sorted by host', () => {
    const table = new TableState(FLEET_COLUMNS);
    table.rows = fleetRows(answer(['b', 'a', 'c'], 400));
    expect(table.view).toHaveLength(1200);
    expect(table.facetValues.get('Host')).toEqual(['label-a', 'label-b', 'label-c']);
    table.facets.Host = 'label-c';
    expect(table.view).toHaveLength(400);
    expect(new Set(table.view.map((r) => r.host))).toEqual(new Set(['c']));
    table.facets.Host = '';
    table.facets.Drift = 'drift';
    expect(table.view.map((r) => [r.host, r.name])).toEqual([['b', 'prog_0'], ['a', 'prog_0'], ['c', 'prog_0']]);
    table.sort('Host');
    expect(table.view.map((r) => r.host)).toEqual(['a', 'b', 'c']);
    table.facets.Drift = '';
    table.filter = 'label-a prog_39';
    expect(table.view.map((r) => r.name).sort()).toEqual(['prog_39', ...Array.from({ length: 10 }, (_, i) => `prog_39${i}`)].sort());
  });

  it('has no live columns (live stats are per host) and keeps the host’s own program id', () => {
    expect(FLEET_COLUMNS.map((c) => c.title)).toEqual(['Host', 'ID', 'Type', 'Name', 'Tag', 'Owners', 'Drift']);
    const [row] = fleetRows(answer(['x'], 1));
    expect(row).toMatchObject({ id: 1, host: 'x', hostLabel: 'label-x', drift: true, name: 'prog_0' });
  });

  it('has a deep link', () => {
    const route = parseRoute('#/local/fleet', 'local');
    expect(route).toEqual({ host: 'local', view: 'fleet' });
    expect(formatRoute(route)).toBe('#/local/fleet');
  });
});
