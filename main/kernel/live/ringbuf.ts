// Ring buffer throughput and fill from two readings of its position pages.
// producer_pos advances by round_up(len + 8, 8) per reserved record (the 8-byte
// header included, discarded records too); consumer_pos by what the owner consumed.

export interface RingbufReading {
  consumerPos: bigint;
  producerPos: bigint;
  dataSize: number;
}

export interface RingbufLevel {
  /** Bytes written but not yet consumed. */
  pendingBytes: number;
  /** pendingBytes / data size, 0 … 1. */
  fill: number;
}

export interface RingbufRates extends RingbufLevel {
  /** Bytes reserved per second, record headers included. */
  producedBytesPerSec: number;
  consumedBytesPerSec: number;
  producedBytes: number;
  consumedBytes: number;
}

export function ringbufLevel(reading: RingbufReading): RingbufLevel {
  const pending = reading.producerPos > reading.consumerPos ? Number(reading.producerPos - reading.consumerPos) : 0;
  const size = reading.dataSize > 0 ? reading.dataSize : 1;
  return { pendingBytes: pending, fill: Math.min(1, pending / size) };
}

function grow(after: bigint, before: bigint): number {
  return after >= before ? Number(after - before) : 0;
}

export function ringbufRates(before: RingbufReading, after: RingbufReading, wallNs: number): RingbufRates {
  const produced = grow(after.producerPos, before.producerPos);
  const consumed = grow(after.consumerPos, before.consumerPos);
  const perSec = wallNs > 0 ? 1e9 / wallNs : 0;
  return {
    ...ringbufLevel(after),
    producedBytes: produced,
    consumedBytes: consumed,
    producedBytesPerSec: produced * perSec,
    consumedBytesPerSec: consumed * perSec,
  };
}
