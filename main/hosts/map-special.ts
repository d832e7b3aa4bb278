// What special maps hold, read without disturbing their owner: program ids of prog_array
// slots, inner map ids of map-in-map entries, symbolised stack traces, ring buffer positions,
// or why the kernel shows nothing.
import { decodeMapInfo, decodeProgInfo } from '../kernel/info/index.js';
import { mapAccess } from '../kernel/maps/map-kind.js';
import {
  decodeIds,
  decodeRingPositions,
  ringPositions,
  decodeStackFrames,
  symbolizeFrames,
  type RingPositions,
  type SymbolizedFrame,
} from '../kernel/maps/special.js';
import type { HostSession } from './host-session.js';
import { MapStream } from './map-stream.js';

export interface IdSlot {
  /** Key bytes (the slot index for prog_array and array_of_maps). */
  key: Uint8Array;
  id: number;
  /** Name of the program or inner map, when it still exists. */
  name?: string;
}

export interface StackTrace {
  stackId: number;
  frames: SymbolizedFrame[];
}

export type MapSpecial =
  | { kind: 'prog-ids'; slots: IdSlot[] }
  | { kind: 'map-ids'; slots: IdSlot[] }
  | { kind: 'stack-frames'; stacks: StackTrace[] }
  | { kind: 'ring-positions'; ring: RingPositions }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'entries' }
  | { kind: 'gone' };

/** Bound on special entries read in one call (stack maps can be large). */
export const MAX_SPECIAL_ENTRIES = 65536;

export async function readMapSpecial(session: HostSession, id: number): Promise<MapSpecial> {
  const stream = await MapStream.open(session.host, id, { mode: 'next' });
  if (!stream) return { kind: 'gone' };
  const { info, keySize, stride } = stream.layout;
  const access = mapAccess(info.type);
  switch (access.kind) {
    case 'entries':
    case 'unreadable':
      return access;
    case 'ring-positions':
      return readRing(session, id, info.maxEntries ?? 0);
    case 'prog-ids':
    case 'map-ids': {
      const slots: IdSlot[] = [];
      for await (const page of stream.pages()) {
        decodeIds(page.values, page.count, stride).forEach((objectId, i) =>
          slots.push({ key: page.keys.slice(i * keySize, (i + 1) * keySize), id: objectId }),
        );
        if (slots.length >= MAX_SPECIAL_ENTRIES) break;
      }
      for (const slot of slots) {
        const name = await objectName(session, access.kind === 'prog-ids' ? 'prog' : 'map', slot.id);
        if (name !== undefined) slot.name = name;
      }
      return { kind: access.kind, slots };
    }
    case 'stack-frames': {
      const kallsyms = await session.kallsyms();
      const stacks: StackTrace[] = [];
      for await (const page of stream.pages()) {
        const keyView = new DataView(page.keys.buffer, page.keys.byteOffset, page.keys.byteLength);
        for (let i = 0; i < page.count; i++) {
          const frames = decodeStackFrames(page.values.subarray(i * stride, (i + 1) * stride));
          stacks.push({ stackId: keyView.getUint32(i * keySize, true), frames: symbolizeFrames(frames, kallsyms) });
        }
        if (stacks.length >= MAX_SPECIAL_ENTRIES) break;
      }
      return { kind: 'stack-frames', stacks };
    }
  }
}

async function readRing(session: HostSession, id: number, size: number): Promise<MapSpecial> {
  const host = session.host;
  if (host.ringbufPositions) {
    const raw = await host.ringbufPositions(id);
    if (!raw) return { kind: 'gone' };
    return { kind: 'ring-positions', ring: ringPositions(raw.producerPos, raw.consumerPos, raw.dataSize) };
  }
  const reader = await host.openMap(id);
  if (!reader) return { kind: 'gone' };
  try {
    if (!reader.mmap) return { kind: 'unreadable', reason: 'ringbuf: this host connection cannot map the position pages' };
    // One page each is what the kernel maps; 8 bytes of it hold the position.
    const consumer = await reader.mmap(0, 4096);
    const producer = await reader.mmap(1, 4096);
    return { kind: 'ring-positions', ring: decodeRingPositions(consumer, producer, size) };
  } finally {
    await reader.close();
  }
}

async function objectName(session: HostSession, kind: 'prog' | 'map', id: number): Promise<string | undefined> {
  if (kind === 'map') {
    const raw = await session.host.mapInfo(id);
    return raw ? decodeMapInfo(raw.info).name : undefined;
  }
  const raw = await session.host.progInfo(id, false);
  return raw ? decodeProgInfo(raw.info).name : undefined;
}
