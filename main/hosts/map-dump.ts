// A whole map as `bpftool map dump -j` prints it, produced page by page from MapStream so
// a dump of any size holds one page of entries at a time.
import { BpftoolMapDumper, ByteSink, bpftoolHexArray, type Btf } from '../kernel/btf/index.js';
import { mapAccess, MapType } from '../kernel/maps/map-kind.js';
import type { MapInfo } from '../kernel/info/index.js';
import type { HostSession } from './host-session.js';
import { MapStream, type MapStreamOptions } from './map-stream.js';

/**
 * Entries per page while dumping: enough that the per-page costs (a map fd, a syscall, a
 * write) vanish, few enough that a page's output (about 350 bytes an entry for a 32-byte
 * value) stays a few megabytes.
 */
export const DUMP_PAGE_ENTRIES = 16384;
/**
 * Output bytes handed to the writer at a time: small enough to be still in the CPU cache
 * when the kernel copies them into the file (a chunk of megabytes doubles the write's cost).
 */
const OUTPUT_CHUNK_BYTES = 256 << 10;
/** bpftool's text for the kernel's ENOTSUPP (strerror of 524). */
const ENOTSUPP_TEXT = 'Unknown error 524';
/** Bound on the per-slot error entries of maps whose slots refuse lookups. */
const MAX_ERROR_ENTRIES = 16384;

export interface MapDumpSource {
  stream: MapStream;
  /** The map's BTF when it has a value type (what bpftool formats with). */
  btf: Btf | undefined;
  dumper: BpftoolMapDumper;
}

export async function openMapDump(session: HostSession, id: number, options: MapStreamOptions = {}): Promise<MapDumpSource | null> {
  const stream = await MapStream.open(session.host, id, { pageEntries: DUMP_PAGE_ENTRIES, ...options });
  if (!stream) return null;
  const { info } = stream.layout;
  const btf = info.btfId && info.btfValueTypeId ? await session.btf(info.btfId).catch(() => undefined) : undefined;
  const dumper = new BpftoolMapDumper(
    {
      type: info.type,
      keySize: info.keySize ?? 0,
      valueSize: info.valueSize ?? 0,
      btfKeyTypeId: info.btfKeyTypeId ?? 0,
      btfValueTypeId: info.btfValueTypeId ?? 0,
    },
    btf,
  );
  return { stream, btf, dumper };
}

/**
 * What bpftool prints for maps it cannot read entry by entry: per-slot error objects for
 * maps whose slots refuse lookups (perf_event_array, cgroup_array), nothing for other
 * unreadable kinds; undefined for maps with readable entries.
 */
function unreadableEntries(info: MapInfo): string[] | undefined {
  const access = mapAccess(info.type);
  if (access.kind !== 'unreadable' && access.kind !== 'ring-positions') return undefined;
  if (info.type !== MapType.perfEventArray && info.type !== MapType.cgroupArray) return [];
  const key = new Uint8Array(4);
  const view = new DataView(key.buffer);
  const texts: string[] = [];
  for (let i = 0; i < (info.maxEntries ?? 0) && i < MAX_ERROR_ENTRIES; i++) {
    view.setUint32(0, i, true);
    texts.push(`{"key":${bpftoolHexArray(key, 0, 4)},"value":{"error":"${ENOTSUPP_TEXT}"}}`);
  }
  return texts;
}

/** JSON text of each entry, one array per page, ending with how the read ended. */
export async function* bpftoolJsonPages(source: MapDumpSource): AsyncGenerator<string[], 'done' | 'gone'> {
  const { stream, dumper } = source;
  const unreadable = unreadableEntries(stream.layout.info);
  if (unreadable) {
    if (unreadable.length) yield unreadable;
    return 'done';
  }
  const { keySize, valueSize, stride, cpus, perCpu } = stream.layout;
  const slot = perCpu ? stride / cpus : valueSize;
  const values: Uint8Array[] = new Array(cpus);
  for (;;) {
    const step = await stream.next();
    if (step.state !== 'page') return step.state;
    const { keys, values: buf, count } = step.page;
    const texts: string[] = [];
    for (let i = 0; i < count; i++) {
      const base = i * stride;
      for (let cpu = 0; cpu < cpus; cpu++) values[cpu] = buf.subarray(base + cpu * slot, base + cpu * slot + valueSize);
      texts.push(dumper.entry(keys.subarray(i * keySize, (i + 1) * keySize), values));
    }
    yield texts;
  }
}

/**
 * The same entries as bytes, comma-separated across pages (the caller adds `[` and `]`):
 * what `dump map --json` writes, written from each page's buffers without a string or a
 * view per entry. Each chunk is a view of one reused buffer: the caller must be done with
 * it (written out) before asking for the next.
 */
export async function* bpftoolJsonBytes(source: MapDumpSource): AsyncGenerator<Uint8Array, 'done' | 'gone'> {
  const { stream, dumper } = source;
  const sink = new ByteSink(OUTPUT_CHUNK_BYTES * 2);
  const unreadable = unreadableEntries(stream.layout.info);
  if (unreadable) {
    if (unreadable.length) {
      sink.text(unreadable.join(','));
      yield sink.drain();
    }
    return 'done';
  }
  let first = true;
  for (;;) {
    const step = await stream.next();
    if (step.state !== 'page') return step.state;
    let from = 0;
    while (from < step.page.count) {
      from = dumper.pageInto(sink, step.page, stream.layout, !first, from, OUTPUT_CHUNK_BYTES);
      first = false;
      yield sink.drain();
    }
  }
}

