// The checks that run on a client message before it is parsed or schema-checked: nesting depth
// counted over the text (strings skipped) and, for structured-cloned IPC values, depth and size.
import { describe, expect, it } from 'vitest';
import { decodeClientMessage, jsonTextNestsDeeper, MAX_REQUEST_DEPTH, MAX_REQUEST_VALUES, valueTooComplex } from '../../../main/api/protocol.js';

const nested = (depth: number, open = '[', close = ']') => `${open.repeat(depth)}${close.repeat(depth)}`;

describe('nesting depth of JSON text', () => {
  it('counts arrays and objects alike, and nothing inside strings', () => {
    expect(jsonTextNestsDeeper(nested(3), 3)).toBe(false);
    expect(jsonTextNestsDeeper(nested(4), 3)).toBe(true);
    expect(jsonTextNestsDeeper('{"a":{"b":[{}]}}', 3)).toBe(true);
    expect(jsonTextNestsDeeper('{"a":{"b":[1]}}', 3)).toBe(false);
    expect(jsonTextNestsDeeper(JSON.stringify({ s: nested(100, '[{', '}]') }), 1)).toBe(false);
    // An escaped quote does not end the string; an escaped backslash does not escape the quote.
    expect(jsonTextNestsDeeper(JSON.stringify({ s: `\\"${nested(50)}` }), 1)).toBe(false);
    expect(jsonTextNestsDeeper(`{"s":"\\\\",${'"t":'}${nested(5)}}`, 3)).toBe(true);
  });

  it('siblings do not add up: depth is nesting, not count', () => {
    expect(jsonTextNestsDeeper(`[${Array.from({ length: 1000 }, () => nested(2)).join(',')}]`, 3)).toBe(false);
  });

  it('decodeClientMessage refuses deep messages with E2BIG and takes the deepest allowed', () => {
    const at = (depth: number) => `{"type":"request","id":1,"method":"versions","params":${nested(depth - 1)}}`;
    // The method's own parameter schema refuses it later; the message itself decodes.
    expect(decodeClientMessage(at(MAX_REQUEST_DEPTH))).toMatchObject({ ok: true });
    expect(decodeClientMessage(at(MAX_REQUEST_DEPTH + 1))).toMatchObject({ ok: false, error: { code: 'E2BIG', message: expect.stringMatching(/deeper/) } });
    expect(decodeClientMessage(at(30_000))).toMatchObject({ ok: false, error: { code: 'E2BIG', message: expect.stringMatching(/deeper/) } });
  });
});

describe('depth and size of structured values (IPC)', () => {
  it('walks without recursion and stops at the first excess', () => {
    let deep: unknown = [];
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(valueTooComplex(deep)).toBe(`nested deeper than ${MAX_REQUEST_DEPTH}`);
    expect(valueTooComplex({ host: 'local', keys: ['00', '01'] })).toBeUndefined();
    expect(valueTooComplex(new Array(MAX_REQUEST_VALUES + 1).fill(0))).toBe(`more than ${MAX_REQUEST_VALUES} values`);
    expect(valueTooComplex('text')).toBeUndefined();
  });
});
