// The agent's wire protocol, TypeScript side (the C side and the full op
// list are in native/src/frame.h). Plain TypeScript: no Node imports.
//
// Stream: the agent writes the 8-byte magic "BPFSCOPE", then frames; the
// client writes frames only. A frame, both directions:
//
//   | body_len u32 LE | meta_len u32 LE | meta: JSON object | blobs: raw bytes |
//                     |<------------------- body_len ------------------------>|
//
// meta.blobs = [n0, n1, …] gives the blob lengths, which sum to
// body_len - 4 - meta_len. Bulk bytes travel as blobs, never in JSON.
// Anything that breaks these rules is a FrameError and ends the session.

export const AGENT_MAGIC = 'BPFSCOPE';
export const PROTOCOL_VERSION = 2;
/** Bound on a frame the agent sends us (its BS_RESPONSE_MAX). */
export const RESPONSE_FRAME_MAX = 160 * 1024 * 1024;
/** Bound on a frame we send the agent (its BS_REQUEST_MAX). */
export const REQUEST_FRAME_MAX = 1024 * 1024;
export const META_MAX = 32 * 1024 * 1024;
export const BLOBS_MAX = 16;

export type FrameMeta = Record<string, unknown>;

export interface Frame {
  meta: FrameMeta;
  blobs: Uint8Array[];
}

export class FrameError extends Error {
  override readonly name = 'FrameError';
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export function encodeFrame(meta: FrameMeta, blobs: readonly Uint8Array[] = [], cap = REQUEST_FRAME_MAX): Uint8Array {
  if (blobs.length > BLOBS_MAX) throw new FrameError(`frame: ${blobs.length} blobs, at most ${BLOBS_MAX}`);
  const metaBytes = encoder.encode(JSON.stringify(blobs.length ? { ...meta, blobs: blobs.map((b) => b.byteLength) } : meta));
  const blobTotal = blobs.reduce((n, b) => n + b.byteLength, 0);
  const body = 4 + metaBytes.byteLength + blobTotal;
  if (body > cap) throw new FrameError(`frame: ${body} bytes exceeds the ${cap}-byte cap`);
  const out = new Uint8Array(4 + body);
  const view = new DataView(out.buffer);
  view.setUint32(0, body, true);
  view.setUint32(4, metaBytes.byteLength, true);
  out.set(metaBytes, 8);
  let at = 8 + metaBytes.byteLength;
  for (const b of blobs) {
    out.set(b, at);
    at += b.byteLength;
  }
  return out;
}

/** Decodes one frame body (everything after body_len). */
export function decodeFrameBody(body: Uint8Array): Frame {
  if (body.byteLength < 4) throw new FrameError('frame: body shorter than its metadata length');
  const metaLen = new DataView(body.buffer, body.byteOffset, 4).getUint32(0, true);
  if (metaLen > body.byteLength - 4) throw new FrameError(`frame: metadata length ${metaLen} runs past the frame`);
  if (metaLen > META_MAX) throw new FrameError(`frame: metadata of ${metaLen} bytes exceeds ${META_MAX}`);
  let meta: unknown;
  try {
    meta = JSON.parse(decoder.decode(body.subarray(4, 4 + metaLen)));
  } catch {
    throw new FrameError('frame: metadata is not JSON');
  }
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new FrameError('frame: metadata is not an object');
  const m = meta as FrameMeta;
  const lengths = m.blobs ?? [];
  if (!Array.isArray(lengths) || lengths.length > BLOBS_MAX) throw new FrameError('frame: bad blob list');
  const blobs: Uint8Array[] = [];
  let at = 4 + metaLen;
  for (const n of lengths) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || at + n > body.byteLength) {
      throw new FrameError('frame: blob lengths do not match the frame');
    }
    blobs.push(body.subarray(at, at + n));
    at += n;
  }
  if (at !== body.byteLength) throw new FrameError('frame: blob lengths do not match the frame');
  return { meta: m, blobs };
}

/**
 * Incremental decoder for the agent's output: magic, then frames. Holds at
 * most one frame (bounded by the cap) plus the next frame's header.
 */
export class FrameDecoder {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private magicSeen: boolean;
  private readonly cap: number;

  constructor(options: { cap?: number; expectMagic?: boolean } = {}) {
    this.cap = options.cap ?? RESPONSE_FRAME_MAX;
    this.magicSeen = !(options.expectMagic ?? true);
  }

  /** Bytes held, waiting for the rest of a frame. */
  get pending(): number {
    return this.buffered;
  }

  /** Feeds bytes; returns the frames they complete. Throws FrameError. */
  push(chunk: Uint8Array): Frame[] {
    if (chunk.byteLength) {
      this.chunks.push(chunk);
      this.buffered += chunk.byteLength;
    }
    const frames: Frame[] = [];
    for (;;) {
      if (!this.magicSeen) {
        if (this.buffered < AGENT_MAGIC.length) return this.checkMagicPrefix(frames);
        const head = this.take(AGENT_MAGIC.length);
        const text = decoder.decode(head);
        if (text !== AGENT_MAGIC) throw new FrameError(`not a bpfscope agent: its output began with ${JSON.stringify(text)}`);
        this.magicSeen = true;
      }
      if (this.buffered < 4) return frames;
      const bodyLen = this.peekU32();
      if (bodyLen > this.cap) throw new FrameError(`frame: ${bodyLen} bytes exceeds the ${this.cap}-byte cap`);
      if (bodyLen < 4) throw new FrameError(`frame: body of ${bodyLen} bytes is too short`);
      if (this.buffered < 4 + bodyLen) return frames;
      this.take(4);
      frames.push(decodeFrameBody(this.take(bodyLen)));
    }
  }

  /** Refuses early output that cannot become the magic (garbage, a shell error). */
  private checkMagicPrefix(frames: Frame[]): Frame[] {
    if (this.buffered === 0) return frames;
    const head = this.take(this.buffered);
    this.chunks = [head];
    this.buffered = head.byteLength;
    const text = decoder.decode(head);
    if (!AGENT_MAGIC.startsWith(text)) throw new FrameError(`not a bpfscope agent: its output began with ${JSON.stringify(text)}`);
    return frames;
  }

  private peekU32(): number {
    const head = this.chunks[0]!.byteLength >= 4 ? this.chunks[0]! : this.coalesce(4);
    return new DataView(head.buffer, head.byteOffset, 4).getUint32(0, true);
  }

  /** Merges the first chunks until the first holds n bytes. */
  private coalesce(n: number): Uint8Array {
    const merged = new Uint8Array(Math.max(n, 0));
    let at = 0;
    while (at < n) {
      const c = this.chunks.shift()!;
      const part = Math.min(c.byteLength, n - at);
      merged.set(c.subarray(0, part), at);
      at += part;
      if (part < c.byteLength) this.chunks.unshift(c.subarray(part));
    }
    this.chunks.unshift(merged);
    return merged;
  }

  private take(n: number): Uint8Array {
    const first = this.chunks[0]!.byteLength >= n ? this.chunks[0]! : this.coalesce(n);
    const out = first.subarray(0, n);
    if (first.byteLength === n) this.chunks.shift();
    else this.chunks[0] = first.subarray(n);
    this.buffered -= n;
    return out;
  }
}
