// A whole map as `bpftool map dump -j` prints it, produced page by page from MapStream so
// a dump of any size holds one page of entries at a time.
import { BpftoolMapDumper, BpftoolTextDumper, ByteSink, bpftoolHexArray, type Btf, type TextMapShape } from '../kernel/btf/index.js';
import { mapAccess, MapType } from '../kernel/maps/map-kind.js';
import type { MapInfo } from '../kernel/info/index.js';
import type { HostSession } from './host-session.js';
import { MapStream, type MapStreamOptions } from './map-stream.js';

/**
 * Entries per page while dumping: enough that the per-page costs (a map fd, a syscall, a
 * write) vanish, few enough that a page's output (about 350 bytes an entry for a 32-byte
 * value) stays a few megabytes. Pages of large values hold fewer (MapStream sizes them in
 * bytes).
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
  /** The map as the text dumper sees it (a fresh BpftoolTextDumper per dump). */
  shape: TextMapShape;
}

export async function openMapDump(session: HostSession, id: number, options: MapStreamOptions = {}): Promise<MapDumpSource | null> {
  const stream = await MapStream.open(session.host, id, { pageEntries: DUMP_PAGE_ENTRIES, ...options });
  if (!stream) return null;
  const { info } = stream.layout;
  const access = mapAccess(info.type).kind;
  if (access === 'unreadable' || access === 'ring-positions') {
    // Nothing is read from such maps; opening one still says whether it has contents at all
    // (an object file's maps have none until loaded: the host's error tells so).
    const reader = await session.host.openMap(id);
    if (!reader) return null;
    await reader.close();
  }
  const btf = info.btfId && info.btfValueTypeId ? await session.btf(info.btfId).catch(() => undefined) : undefined;
  const shape: TextMapShape = {
    type: info.type,
    keySize: info.keySize ?? 0,
    valueSize: info.valueSize ?? 0,
    btfKeyTypeId: info.btfKeyTypeId ?? 0,
    btfValueTypeId: info.btfValueTypeId ?? 0,
    btfId: info.btfId ?? 0,
  };
  return { stream, btf, dumper: new BpftoolMapDumper(shape, btf), shape };
}

/**
 * Maps whose every lookup the kernel refuses (perf_event_array, cgroup_array): bpftool
 * lists each slot with strerror(ENOTSUPP). Their reads return nothing, so the slots are
 * listed from max_entries.
 */
function refusedSlots(info: MapInfo): { count: number; message: string } | undefined {
  if (info.type !== MapType.perfEventArray && info.type !== MapType.cgroupArray) return undefined;
  return { count: Math.min(info.maxEntries ?? 0, MAX_ERROR_ENTRIES), message: ENOTSUPP_TEXT };
}

/** JSON texts of refused slots (bpftool's print_entry_error), none for other unreadable kinds; undefined for readable maps. */
function unreadableEntries(info: MapInfo): string[] | undefined {
  const access = mapAccess(info.type);
  if (access.kind !== 'unreadable' && access.kind !== 'ring-positions') return undefined;
  const refused = refusedSlots(info);
  const key = new Uint8Array(4);
  const texts: string[] = [];
  for (let i = 0; i < (refused?.count ?? 0); i++) {
    new DataView(key.buffer).setUint32(0, i, true);
    texts.push(`{"key":${bpftoolHexArray(key, 0, 4)},"value":{"error":"${refused!.message}"}}`);
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


/**
 * `bpftool map dump` text as bytes, page by page: the header, the entries, then the footer
 * once the read ends (done) — a map that vanishes ends without it ('gone'). Each chunk is a
 * view of one reused buffer, as with bpftoolJsonBytes.
 */
export async function* bpftoolTextBytes(source: MapDumpSource): AsyncGenerator<Uint8Array, 'done' | 'gone'> {
  const { stream } = source;
  const dumper = new BpftoolTextDumper(source.shape, source.btf);
  const sink = new ByteSink(OUTPUT_CHUNK_BYTES * 2);
  sink.text(dumper.header());
  const refused = refusedSlots(stream.layout.info);
  if (refused) {
    const key = new Uint8Array(4);
    for (let i = 0; i < refused.count; i++) {
      new DataView(key.buffer).setUint32(0, i, true);
      dumper.errorInto(sink, key, refused.message);
    }
  }
  let end: 'done' | 'gone' = 'done';
  const access = mapAccess(stream.layout.info.type).kind;
  for (let reading = access !== 'unreadable' && access !== 'ring-positions'; reading; ) {
    const step = await stream.next();
    if (step.state !== 'page') {
      end = step.state;
      break;
    }
    let from = 0;
    while (from < step.page.count) {
      from = dumper.pageInto(sink, step.page, stream.layout, from, OUTPUT_CHUNK_BYTES);
      yield sink.drain();
    }
  }
  // The output is closed either way; the caller says when it is incomplete.
  sink.text(dumper.footer());
  yield sink.drain();
  return end;
}
