// The contract's tables build each entry on first read, once; every entry builds.
import { describe, expect, it } from 'vitest';
import { EVENT_NAMES, events, isEventName, isMethodName, METHOD_NAMES, methods } from '../../../main/api/contract.js';
import { lazyTable } from '../../../main/api/lazy-table.js';

describe('lazy table', () => {
  it('builds an entry when it is first read, once, and lists every key before', () => {
    const built: string[] = [];
    const table = lazyTable({ a: () => (built.push('a'), { n: 1 }), b: () => (built.push('b'), { n: 2 }) });
    expect(Object.keys(table)).toEqual(['a', 'b']);
    expect(Object.hasOwn(table, 'b')).toBe(true);
    expect(built).toEqual([]);
    expect(table.b.n).toBe(2);
    expect(table.b).toBe(table.b);
    expect(built).toEqual(['b']);
  });

  it('gives every method and event of the contract schemas that parse', () => {
    expect(METHOD_NAMES).toEqual(expect.arrayContaining(['versions', 'listPrograms', 'readMapView', 'compareHosts']));
    for (const name of METHOD_NAMES) {
      expect(isMethodName(name)).toBe(true);
      expect(typeof methods[name].params.safeParse).toBe('function');
      expect(typeof methods[name].result.safeParse).toBe('function');
    }
    for (const name of EVENT_NAMES) {
      expect(isEventName(name)).toBe(true);
      expect(typeof events[name].data.safeParse).toBe('function');
    }
    expect(methods.listPrograms.params.safeParse({ host: 'local' }).success).toBe(true);
    expect(methods.readMapView.result.safeParse({}).success).toBe(false);
    expect(isMethodName('toString')).toBe(false);
  });
});
