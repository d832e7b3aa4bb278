// What `bpfscope metrics` accepts on its command line: --listen and --map-field.
import { describe, expect, it } from 'vitest';
import { mergeMapFieldSpecs, parseMapFieldSpec } from '../../../main/metrics/map-fields.js';
import { parseListenAddress } from '../../../main/metrics/metrics-http.js';

describe('--listen', () => {
  it.each([
    ['127.0.0.1:9435', { address: '127.0.0.1', port: 9435 }],
    ['[::1]:9000', { address: '::1', port: 9000 }],
    [':9435', { address: undefined, port: 9435 }],
    ['localhost:0', { address: 'localhost', port: 0 }],
    ['10.1.2.3:80', { address: '10.1.2.3', port: 80 }],
  ])('%s', (text, expected) => {
    expect(parseListenAddress(text)).toEqual(expected);
  });

  it.each(['9435', '127.0.0.1', '127.0.0.1:65536', '[127.0.0.1]:80', '::1:80', '127.0.0.1:port', ''])('refuses %j, saying what it expects', (text) => {
    expect(() => parseListenAddress(text)).toThrow(/--listen .*expected ADDR:PORT|is not an IPv6 address/);
  });
});

describe('--map-field', () => {
  it('takes a map name or id, an optional key and a field path', () => {
    expect(parseMapFieldSpec('counts:packets')).toEqual({ text: 'counts:packets', map: { name: 'counts' }, field: 'packets' });
    expect(parseMapFieldSpec('12:origin.x')).toEqual({ text: '12:origin.x', map: { id: 12 }, field: 'origin.x' });
    expect(parseMapFieldSpec('hash_map[7]:path[2].y')).toEqual({ text: 'hash_map[7]:path[2].y', map: { name: 'hash_map' }, field: 'path[2].y', keys: ['7'] });
    expect(parseMapFieldSpec('flows[hex 0a 00 00 01]:bytes').keys).toEqual(['hex 0a 00 00 01']);
  });

  it.each(['counts', ':packets', 'counts:', 'counts[]:x', 'a[1]b:x'])('refuses %j with the forms it takes', (text) => {
    expect(() => parseMapFieldSpec(text)).toThrow(/expected MAP:FIELD or MAP\[KEY\]:FIELD/);
  });

  it('reads each map and field once: chosen keys join, and every key wins over chosen ones', () => {
    const merged = mergeMapFieldSpecs(['m[1]:x', 'm[2]:x', 'm:y', 'n[1]:x', 'n:x', '5:x', '5[3]:x'].map(parseMapFieldSpec));
    expect(merged.map((s) => [s.map, s.field, s.keys])).toEqual([
      [{ name: 'm' }, 'x', ['1', '2']],
      [{ name: 'm' }, 'y', undefined],
      [{ name: 'n' }, 'x', undefined],
      [{ id: 5 }, 'x', undefined],
    ]);
  });
});
