// Throughput and fill of every ring buffer on one host, from its producer and
// consumer positions (a read-only mmap of the two position pages, in native
// code): records are never read and never consumed.
import { decodeMapInfo } from '../kernel/info/index.js';
import { diffIds, ringbufLevel, ringbufRates, type RingbufReading } from '../kernel/live/index.js';
import type { Host } from '../hosts/host.js';
import { HostError } from '../hosts/host-error.js';
import { checkInterval } from './program-sampler.js';
import { PollLoop } from './poll-loop.js';

const MAP_TYPE_RINGBUF = 27;
const MAP_TYPE_USER_RINGBUF = 31;

export interface RingbufStats {
  mapId: number;
  name: string;
  /** 'user' for BPF_MAP_TYPE_USER_RINGBUF (user space produces, programs consume). */
  flavor: 'kernel' | 'user';
  dataSize: number;
  /** Bytes reserved per second, including each record's 8-byte header and padding to 8. */
  producedBytesPerSec: number;
  consumedBytesPerSec: number;
  producedBytes: number;
  consumedBytes: number;
  pendingBytes: number;
  /** pendingBytes / dataSize, 0 … 1. */
  fill: number;
  /** Positions as numbers: exact below 2^53 bytes (years of writing at GB/s). */
  producerPos: number;
  consumerPos: number;
}

export interface RingbufSample {
  timeMs: number;
  intervalMs: number;
  ringbufs: RingbufStats[];
}

export interface RingbufSamplerOptions {
  intervalMs?: number;
  now?: () => number;
}

interface Known {
  name: string;
  flavor: 'kernel' | 'user';
  reading?: RingbufReading;
  atNs?: bigint;
}

export class RingbufSampler {
  readonly host: Host;
  readonly intervalMs: number;
  private readonly now: () => number;
  /** Every map id seen; null for maps that are not ring buffers. */
  private readonly maps = new Map<number, Known | null>();
  private readonly loop: PollLoop;
  private latestSample: RingbufSample | undefined;
  private readonly listeners = new Set<(sample: RingbufSample) => void>();

  constructor(host: Host, options: RingbufSamplerOptions = {}) {
    if (!host.ringbufPositions) {
      throw new HostError({ code: 'ENOTSUP', message: `${host.label}: ring buffer positions are not available from this host` });
    }
    this.host = host;
    this.intervalMs = checkInterval(options.intervalMs ?? 1000);
    this.now = options.now ?? Date.now;
    this.loop = new PollLoop(this.intervalMs, () => this.sample());
  }

  get latest(): RingbufSample | undefined {
    return this.latestSample;
  }

  onSample(listener: (sample: RingbufSample) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onError(listener: (error: Error) => void): () => void {
    return this.loop.onError(listener);
  }

  start(): Promise<void> {
    return this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  /** Reads every ring buffer; rates are against the previous reading of each (0 on its first). */
  async sample(): Promise<RingbufSample> {
    const ids = await this.host.listIds('map');
    const { appeared, vanished } = diffIds(this.maps.keys(), ids);
    for (const id of vanished) this.maps.delete(id);
    for (const id of appeared) {
      const raw = await this.host.mapInfo(id);
      if (!raw) continue;
      const info = decodeMapInfo(raw.info);
      const ring = info.type === MAP_TYPE_RINGBUF || info.type === MAP_TYPE_USER_RINGBUF;
      this.maps.set(id, ring ? { name: info.name ?? '', flavor: info.type === MAP_TYPE_RINGBUF ? 'kernel' : 'user' } : null);
    }
    const timeMs = this.now();
    const ringbufs: RingbufStats[] = [];
    let intervalNs = 0;
    for (const [mapId, known] of this.maps) {
      if (!known) continue;
      const positions = await this.host.ringbufPositions!(mapId);
      const atNs = process.hrtime.bigint();
      if (!positions) {
        this.maps.delete(mapId);
        continue;
      }
      const reading: RingbufReading = positions;
      const stats = known.reading && known.atNs !== undefined
        ? ringbufRates(known.reading, reading, Number(atNs - known.atNs))
        : { ...ringbufLevel(reading), producedBytes: 0, consumedBytes: 0, producedBytesPerSec: 0, consumedBytesPerSec: 0 };
      if (known.atNs !== undefined) intervalNs = Number(atNs - known.atNs);
      known.reading = reading;
      known.atNs = atNs;
      ringbufs.push({
        mapId,
        name: known.name,
        flavor: known.flavor,
        dataSize: positions.dataSize,
        ...stats,
        producerPos: Number(positions.producerPos),
        consumerPos: Number(positions.consumerPos),
      });
    }
    const sample: RingbufSample = { timeMs, intervalMs: intervalNs / 1e6, ringbufs };
    this.latestSample = sample;
    for (const listener of this.listeners) listener(sample);
    return sample;
  }
}
