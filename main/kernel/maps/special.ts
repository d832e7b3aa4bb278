// Values of special maps as the kernel reports them to user space: object ids
// (prog_array, array/hash_of_maps), stack frames (stack_trace), ring buffer positions.

/** u32 ids, one per value (prog_array → program ids, map-in-map → inner map ids). */
export function decodeIds(values: Uint8Array, count: number, stride: number): number[] {
  const view = new DataView(values.buffer, values.byteOffset, values.byteLength);
  const ids: number[] = [];
  for (let i = 0; i < count && (i + 1) * stride <= values.byteLength && stride >= 4; i++) ids.push(view.getUint32(i * stride, true));
  return ids;
}

/** Instruction pointers of one stack_trace value; the kernel zero-fills past the last frame. */
export function decodeStackFrames(value: Uint8Array): bigint[] {
  const view = new DataView(value.buffer, value.byteOffset, value.byteLength);
  const frames: bigint[] = [];
  for (let off = 0; off + 8 <= value.byteLength; off += 8) {
    const ip = view.getBigUint64(off, true);
    if (ip === 0n) break;
    frames.push(ip);
  }
  return frames;
}

export interface SymbolizedFrame {
  address: bigint;
  /** `function+0x1c`, or undefined when no symbol covers the address. */
  symbol?: string;
  module?: string;
}

export interface SymbolLookup {
  containing(address: bigint): { address: bigint; name: string; module?: string } | undefined;
}

export function symbolizeFrames(frames: readonly bigint[], symbols: SymbolLookup): SymbolizedFrame[] {
  return frames.map((address) => {
    const sym = symbols.containing(address);
    if (!sym || sym.address === 0n) return { address };
    const frame: SymbolizedFrame = { address, symbol: `${sym.name}+0x${(address - sym.address).toString(16)}` };
    if (sym.module) frame.module = sym.module;
    return frame;
  });
}

export interface RingPositions {
  /** Data area size in bytes (max_entries of the map). */
  size: number;
  producer: bigint;
  consumer: bigint;
  /** Bytes written and not yet consumed. */
  pending: bigint;
  /** pending / size, 0..1. */
  fill: number;
}

/**
 * Ring buffer state from the first 8 bytes of its consumer page (page 0) and producer
 * page (page 1), as user space maps them (kernel/bpf/ringbuf.c).
 */
export function decodeRingPositions(consumerPage: Uint8Array, producerPage: Uint8Array, size: number): RingPositions {
  if (consumerPage.byteLength < 8 || producerPage.byteLength < 8) throw new Error('ringbuf: position pages shorter than 8 bytes');
  const consumer = new DataView(consumerPage.buffer, consumerPage.byteOffset, 8).getBigUint64(0, true);
  const producer = new DataView(producerPage.buffer, producerPage.byteOffset, 8).getBigUint64(0, true);
  return ringPositions(producer, consumer, size);
}

export function ringPositions(producer: bigint, consumer: bigint, size: number): RingPositions {
  const pending = producer >= consumer ? producer - consumer : 0n;
  return { size, producer, consumer, pending, fill: size > 0 ? Math.min(1, Number(pending) / size) : 0 };
}
