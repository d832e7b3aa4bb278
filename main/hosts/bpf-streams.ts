// A program's BPF streams (Linux 6.17) read from a host. Reading takes the bytes out of the stream:
// the kernel keeps no copy, so whoever reads first gets them (bpftool prog tracelog stdout|stderr
// reads the same way). Nothing else in bpfscope reads a stream unasked.
import { decodeBpfStream, type StreamEntry } from '../kernel/trace/bpf-stream.js';
import type { BpfStreamId } from './host.js';
import { HostError, toHostError } from './host-error.js';
import type { HostSession } from './host-session.js';

/** The kernel keeps at most 100,000 bytes per stream (BPF_STREAM_MAX_CAPACITY): one read of this drains it. */
export const STREAM_READ_MAX = 1 << 20;

export const STREAM_IDS: Readonly<Record<'stdout' | 'stderr', BpfStreamId>> = { stdout: 1, stderr: 2 };

export interface StreamRead {
  progId: number;
  stream: 'stdout' | 'stderr';
  text: string;
  bytes: number;
  entries: StreamEntry[];
}

const EINVAL_HINT = 'BPF streams came with Linux 6.17 (BPF_PROG_STREAM_READ_BY_FD): an older kernel does not know the command';

export async function readProgramStream(session: HostSession, progId: number, stream: 'stdout' | 'stderr'): Promise<StreamRead> {
  const read = session.host.progStreamRead;
  if (!read) {
    throw new HostError({ code: 'ENOTSUP', message: `${session.label}: has no BPF streams to read`, hint: 'streams live in a running kernel: a snapshot or an object file holds none' });
  }
  let bytes: Uint8Array | null;
  try {
    bytes = await read.call(session.host, progId, STREAM_IDS[stream], STREAM_READ_MAX);
  } catch (error) {
    const e = toHostError(error);
    throw e.code === 'EINVAL' ? new HostError({ ...e.toData(), hint: EINVAL_HINT }) : e;
  }
  if (!bytes) throw new HostError({ code: 'EGONE', message: `prog ${progId}: not loaded on ${session.label}`, id: progId });
  const text = new TextDecoder().decode(bytes);
  return { progId, stream, text, bytes: bytes.byteLength, entries: decodeBpfStream(text) };
}
