import { describe, expect, it } from 'vitest';
import { AGENT_MAGIC, FrameDecoder, FrameError, decodeFrameBody, encodeFrame, type Frame } from '../../../main/hosts/frame.js';
import { prng } from '../../helpers/prng.js';

const magic = new TextEncoder().encode(AGENT_MAGIC);

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

function decodeAll(bytes: Uint8Array, split: (n: number) => number, cap?: number): Frame[] {
  const decoder = new FrameDecoder({ cap });
  const frames: Frame[] = [];
  for (let at = 0; at < bytes.byteLength; ) {
    const n = Math.max(1, split(bytes.byteLength - at));
    frames.push(...decoder.push(bytes.subarray(at, at + n)));
    at += n;
  }
  return frames;
}

describe('frame codec', () => {
  it('round-trips metadata and raw blobs', () => {
    const blobs = [new Uint8Array([1, 2, 3]), new Uint8Array(0), new Uint8Array([255])];
    const frame = encodeFrame({ id: 7, op: 'x', path: 'é' }, blobs);
    const [decoded] = decodeAll(concat([magic, frame]), (n) => n);
    expect(decoded!.meta).toMatchObject({ id: 7, op: 'x', path: 'é', blobs: [3, 0, 1] });
    expect(decoded!.blobs.map((b) => [...b])).toEqual([[1, 2, 3], [], [255]]);
  });

  it('names garbage instead of a magic', () => {
    expect(() => new FrameDecoder().push(new TextEncoder().encode('sh: 1: agent: not found\n'))).toThrow(/not a bpfscope agent.*sh: 1/);
    expect(() => new FrameDecoder().push(new TextEncoder().encode('BPX'))).toThrow(FrameError);
    expect(new FrameDecoder().push(new TextEncoder().encode('BPF'))).toEqual([]);
  });

  it('refuses an oversized frame from its header alone', () => {
    const decoder = new FrameDecoder({ cap: 1024 });
    const head = new Uint8Array([0x01, 0x10, 0, 0]);
    expect(() => decoder.push(concat([magic, head]))).toThrow(/exceeds the 1024-byte cap/);
  });

  it('refuses frames whose blob lengths lie', () => {
    const frame = encodeFrame({ id: 1 }, [new Uint8Array(4)]);
    const body = frame.subarray(4);
    const lying = new TextEncoder().encode(JSON.stringify({ id: 1, blobs: [5] }));
    const forged = concat([new Uint8Array(new Uint32Array([lying.byteLength]).buffer), lying, new Uint8Array(4)]);
    expect(decodeFrameBody(body).blobs[0]!.byteLength).toBe(4);
    expect(() => decodeFrameBody(forged)).toThrow(/blob lengths/);
  });

  it('refuses to encode past the request cap', () => {
    expect(() => encodeFrame({ id: 1 }, [new Uint8Array(2048)], 1024)).toThrow(/cap/);
  });

  it('decodes interleaved frames split at every boundary, seeded', () => {
    const rand = prng(42);
    for (let round = 0; round < 300; round++) {
      const frames = Array.from({ length: 1 + Math.floor(rand() * 5) }, (_, i) =>
        encodeFrame({ id: i, v: 'x'.repeat(Math.floor(rand() * 40)) }, [new Uint8Array(Math.floor(rand() * 300)).fill(i)]),
      );
      const decoded = decodeAll(concat([magic, ...frames]), (left) => Math.ceil(rand() * Math.min(left, 64)));
      expect(decoded.map((f) => f.meta.id)).toEqual(frames.map((_, i) => i));
    }
  });

  it('fuzz: mutated, truncated and random streams end in FrameError or frames, never a crash or unbounded buffer', () => {
    const rand = prng(1234);
    const cap = 4096;
    let errors = 0;
    for (let round = 0; round < 5000; round++) {
      const good = concat([magic, encodeFrame({ id: 1, ok: true, result: { a: [1, 2] } }, [new Uint8Array(20)]), encodeFrame({ id: 2, ok: true }, [])]);
      const bytes = new Uint8Array(good);
      const kind = round % 4;
      if (kind === 0) for (let i = 0; i < 1 + rand() * 4; i++) bytes[Math.floor(rand() * bytes.length)] = Math.floor(rand() * 256);
      const input = kind === 1 ? bytes.subarray(0, Math.floor(rand() * bytes.length)) : kind === 2 ? concat([magic, Uint8Array.from({ length: Math.floor(rand() * 200) }, () => Math.floor(rand() * 256))]) : bytes;
      if (kind === 3) new DataView(bytes.buffer).setUint32(8, cap + 1 + Math.floor(rand() * 1e9), true);
      const decoder = new FrameDecoder({ cap });
      try {
        for (let at = 0; at < input.byteLength; at += 7) decoder.push(input.subarray(at, at + 7));
        expect(decoder.pending).toBeLessThanOrEqual(cap + 8);
      } catch (e) {
        expect(e).toBeInstanceOf(FrameError);
        errors++;
      }
    }
    expect(errors).toBeGreaterThan(1000);
  });
});
