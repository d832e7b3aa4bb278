// Table filters in deep links: the all-hosts view's text filter, facets and sort survive
// format → parse, and links written before they existed read as they did.
import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, type Route } from '../../../renderer/src/lib/app/route.js';

describe('table filters in routes', () => {
  it('round-trips text, facets (any title or value) and sort with its direction', () => {
    const routes: Route[] = [
      { host: 'local', view: 'fleet', query: 'fleet_ tc', facets: { Host: 'objfile:behind.bpf.o', Type: 'kprobe' }, sort: 'Name', descending: true },
      { host: 'root@box:2222', view: 'fleet', facets: { 'Drift': 'drift', 'Odd title&=?': 'a b/c#d' } },
      { host: 'local', view: 'fleet', sort: 'CPU %' },
    ];
    for (const route of routes) expect(parseRoute(formatRoute(route), 'local')).toEqual(route);
  });

  it('writes readable links and leaves out what is not set', () => {
    expect(formatRoute({ host: 'local', view: 'fleet', query: 'x', facets: { Host: 'local', Type: '' }, sort: 'ID', descending: true })).toBe('#/local/fleet?q=x&f.Host=local&sort=ID&desc=1');
    expect(formatRoute({ host: 'local', view: 'fleet', query: '', facets: {}, descending: true })).toBe('#/local/fleet');
  });

  it('reads older links unchanged and ignores empty or stray parameters', () => {
    expect(parseRoute('#/local/fleet', 'local')).toEqual({ host: 'local', view: 'fleet' });
    expect(parseRoute('#/local/maps/3?q=pid%207', 'local')).toEqual({ host: 'local', view: 'maps', id: 3, query: 'pid 7' });
    expect(parseRoute('#/local/fleet?f.=x&f.Type=&desc=1&sort=', 'local')).toEqual({ host: 'local', view: 'fleet' });
  });
});
