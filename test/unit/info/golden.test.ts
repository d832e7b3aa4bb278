// Real kernel bytes against bpftool: fixtures/kernel-6.18-golden.json holds, for every object
// loaded at capture time, the info bytes a 6.18 kernel wrote, the second-pass buffers, the
// fdinfo text, and what bpftool v7.1 printed for the same object (JSON and text).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeLinkInfo,
  decodeMapInfo,
  decodeProgInfo,
  parseFdinfo,
  renderLinkJson,
  renderLinkText,
  renderMapJson,
  renderMapText,
  renderProgJson,
  renderProgText,
  stringifyJson,
  u32Array,
  type ShowOptions,
} from '../../../main/kernel/info/index.js';

interface Captured {
  kind: string;
  len: number;
  info: string;
  name?: string;
  mapIds?: string;
  bootToWallNs: string;
  fdinfo: string;
  bpftoolJson: string;
  bpftoolText: string;
}

interface Golden {
  kernel: string;
  progs: Captured[];
  maps: Captured[];
  links: Captured[];
}

const golden = JSON.parse(
  readFileSync(new URL('./fixtures/kernel-6.18-golden.json', import.meta.url), 'utf8'),
) as Golden;

const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));

function options(c: Captured): ShowOptions {
  return { names: 'bpftool-7.1', keys: 'bpftool-7.1', bootToWallNs: BigInt(c.bootToWallNs) };
}

function progShow(c: Captured) {
  const info = decodeProgInfo(bytes(c.info));
  // The full name of a 15-character name comes from the program's BTF, which this fixture does
  // not carry: take it from bpftool's output (the fallback is tested in prog-info.test.ts).
  const bpftoolName = (JSON.parse(c.bpftoolJson) as { name?: string }).name;
  return {
    info,
    mapIds: u32Array(bytes(c.mapIds ?? ''), info.nrMapIds),
    fdinfo: parseFdinfo(c.fdinfo),
    firstFuncName: bpftoolName,
  };
}

describe('golden: 6.18 kernel info bytes rendered as bpftool v7.1 prints them', () => {
  it('has enough objects to mean something', () => {
    expect(golden.kernel).toMatch(/^6\.18/);
    expect(golden.progs.length).toBeGreaterThanOrEqual(8);
    expect(golden.maps.length).toBeGreaterThanOrEqual(5);
    expect(golden.links.length).toBeGreaterThanOrEqual(4);
    expect(golden.progs.every((c) => c.len === 232)).toBe(true);
  });

  it.each(golden.progs.map((c) => [c.bpftoolJson.slice(0, 40), c] as const))('prog %s', (_, c) => {
    const prog = progShow(c);
    expect(stringifyJson(renderProgJson(prog, options(c)))).toBe(c.bpftoolJson);
    expect(renderProgText(prog, options(c))).toBe(c.bpftoolText);
  });

  it.each(golden.maps.map((c) => [c.bpftoolJson.slice(0, 40), c] as const))('map %s', (_, c) => {
    const map = { info: decodeMapInfo(bytes(c.info)), fdinfo: parseFdinfo(c.fdinfo) };
    expect(stringifyJson(renderMapJson(map, options(c)))).toBe(c.bpftoolJson);
    expect(renderMapText(map, options(c))).toBe(c.bpftoolText);
  });

  it.each(golden.links.map((c) => [c.bpftoolJson.slice(0, 40), c] as const))('link %s', (_, c) => {
    const info = decodeLinkInfo(bytes(c.info), { name: bytes(c.name ?? '') });
    // bpftool looks the linked program's type up by id; so do we, in the same capture.
    const target = golden.progs.map((p) => decodeProgInfo(bytes(p.info))).find((p) => p.id === info.progId);
    const link = { info, progType: target?.type };
    expect(stringifyJson(renderLinkJson(link, options(c)))).toBe(c.bpftoolJson);
    expect(renderLinkText(link, options(c))).toBe(c.bpftoolText);
  });

  it('superset JSON keeps every bpftool key, value and order', () => {
    for (const c of golden.progs) {
      const ours = JSON.parse(stringifyJson(renderProgJson(progShow(c), { ...options(c), keys: 'superset' }))) as Record<string, unknown>;
      const theirs = JSON.parse(c.bpftoolJson) as Record<string, unknown>;
      const ourKeys = Object.keys(ours).filter((k) => k in theirs);
      expect(ourKeys).toEqual(Object.keys(theirs));
      for (const k of ourKeys) expect(ours[k]).toEqual(theirs[k]);
      expect(ours.verified_insns).toBeGreaterThan(0);
    }
  });
});
