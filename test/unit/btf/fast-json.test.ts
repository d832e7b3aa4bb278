// The compiled bpftool byte writers print exactly what the general value-tree path prints, for
// every type of real BTF (a fixture object's and the kernel's own) on random bytes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bpftoolJson, parseBtf, ValueFormatter, type Btf } from '../../../main/kernel/btf/index.js';
import { compileBpftoolWriter, type FastWriter } from '../../../main/kernel/btf/bpftool-fast-json.js';
import { prng } from '../../helpers/prng.js';

const fixtureDir = join(import.meta.dirname, '../../fixtures/btf');

const decoder = new TextDecoder();

/** The writer's text for the value at offset 3 of a larger buffer (offsets must be honoured), checking its bound. */
function writeFast(fast: FastWriter, value: Uint8Array): string {
  const src = new Uint8Array(value.length + 6).fill(0xa5);
  src.set(value, 3);
  const out = new Uint8Array(fast.maxBytes + 10).fill(0x23);
  const end = fast.write(out, 5, src, 3);
  expect(end - 5).toBeLessThanOrEqual(fast.maxBytes);
  expect(out[4]).toBe(0x23);
  expect(out[end]).toBe(0x23);
  return decoder.decode(out.subarray(5, end));
}

function compareAll(btf: Btf, firstId: number, lastId: number, samples: number): number {
  const formatter = new ValueFormatter(btf);
  const next = prng(firstId * 7919 + lastId);
  let compiled = 0;
  for (let id = firstId; id <= lastId; id++) {
    let size: number;
    try {
      size = btf.sizeOf(id);
    } catch {
      continue;
    }
    if (size <= 0 || size > 4096) continue;
    const fast = compileBpftoolWriter(btf, id, size);
    if (!fast) continue;
    compiled++;
    for (let i = 0; i < samples; i++) {
      const bytes = new Uint8Array(size);
      // Mostly small values so enum names match, sometimes anything at all.
      for (let b = 0; b < size; b++) bytes[b] = next() < 0.7 ? (b % 4 === 0 ? Math.floor(next() * 4) : 0) : Math.floor(next() * 256);
      const general = bpftoolJson(formatter.format(id, bytes), bytes);
      expect(general.ok).toBe(true);
      expect(writeFast(fast, bytes), `type ${id}`).toBe(general.text);
    }
  }
  return compiled;
}

describe('compiled bpftool writers', () => {
  it('match the general formatter on every type of the fixture maps BTF', () => {
    const btf = parseBtf(new Uint8Array(readFileSync(join(fixtureDir, 'maps.loaded.btf'))));
    expect(compareAll(btf, 1, btf.firstId + btf.typeCount - 1, 50)).toBeGreaterThan(10);
  });

  it('match the general formatter on thousands of vmlinux types', () => {
    const btf = parseBtf(new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux')));
    expect(compareAll(btf, 1, 20000, 3)).toBeGreaterThan(1000);
  });

  it('leave bitfields, char arrays and floats to the general path', () => {
    const btf = parseBtf(new Uint8Array(readFileSync('/sys/kernel/btf/vmlinux')));
    const [taskComm] = btf.findByName('task_struct', 'struct');
    expect(taskComm).toBeDefined();
    expect(compileBpftoolWriter(btf, taskComm!.id, btf.sizeOf(taskComm!.id))).toBeUndefined();
  });
});
