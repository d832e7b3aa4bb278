// A whole map as `bpftool map dump -j` prints it, produced page by page from MapStream so
// a dump of any size holds one page of entries at a time.
import { BpftoolMapDumper, BpftoolTextDumper, ByteSink, type Btf, type TextMapShape } from '../kernel/btf/index.js';
import type { MapInfo } from '../kernel/info/index.js';
import { mapAccess, MapType } from '../kernel/maps/map-kind.js';
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
 * Entries in a dump's first page: formatting starts once it is read, and the next page is
 * read meanwhile (a page of DUMP_PAGE_ENTRIES kept the formatter waiting 5-9 ms at the start).
 */
const DUMP_FIRST_PAGE_ENTRIES = 1024;
/**
 * Output bytes handed to the writer at a time: small enough to be still in the CPU cache
 * when the kernel copies them into the file (a chunk of megabytes doubles the write's cost).
 */
const OUTPUT_CHUNK_BYTES = 256 << 10;

export interface MapDumpSource {
  stream: MapStream;
  /** The map's BTF when it has a value type (what bpftool formats with). */
  btf: Btf | undefined;
  dumper: BpftoolMapDumper;
  /** The map as the text dumper sees it (a fresh BpftoolTextDumper per dump). */
  shape: TextMapShape;
}

/**
 * Whether bpftool's dump walks the map's keys: every kind with entries, and perf_event_array
 * and cgroup_array, whose slots it lists with the error each lookup fails with (ENOTSUPP).
 */
function dumpWalksKeys(type: number): boolean {
  const access = mapAccess(type).kind;
  return (access !== 'unreadable' && access !== 'ring-positions') || type === MapType.perfEventArray || type === MapType.cgroupArray;
}

export async function openMapDump(session: HostSession, id: number, options: MapStreamOptions = {}): Promise<MapDumpSource | null> {
  const stream = await MapStream.open(session.host, id, { pageEntries: DUMP_PAGE_ENTRIES, firstPageEntries: DUMP_FIRST_PAGE_ENTRIES, slotErrors: true, ...options });
  if (!stream) return null;
  const { info } = stream.layout;
  if (!dumpWalksKeys(info.type)) {
    // Nothing is read from such maps; opening one still says whether it has contents at all
    // (an object file's maps have none until loaded: the host's error tells so).
    const reader = await session.host.openMap(id);
    if (!reader) return null;
    await reader.close();
  }
  const { btf, shape } = await bpftoolMapTypes(session, info);
  return { stream, btf, dumper: new BpftoolMapDumper(shape, btf), shape };
}

/** The map's BTF where it has a value type (what its values are formatted by); undefined if it cannot be read. */
export async function mapValueBtf(session: HostSession, info: MapInfo): Promise<Btf | undefined> {
  return info.btfId && info.btfValueTypeId ? session.btf(info.btfId).catch(() => undefined) : undefined;
}

/** What bpftool formats a map's entries by: its sizes and type ids, and its BTF where it has a value type. */
export async function bpftoolMapTypes(session: HostSession, info: MapInfo): Promise<{ btf: Btf | undefined; shape: TextMapShape }> {
  const btf = await mapValueBtf(session, info);
  const shape: TextMapShape = {
    type: info.type,
    keySize: info.keySize ?? 0,
    valueSize: info.valueSize ?? 0,
    btfKeyTypeId: info.btfKeyTypeId ?? 0,
    btfValueTypeId: info.btfValueTypeId ?? 0,
    btfId: info.btfId ?? 0,
  };
  return { btf, shape };
}

/**
 * Two output buffers written in turn: a chunk drained from one stays intact while the next
 * is written into the other, so the caller can write a chunk out while the next is made.
 */
class ChunkBuffers {
  private readonly sinks = [new ByteSink(OUTPUT_CHUNK_BYTES * 2), new ByteSink(OUTPUT_CHUNK_BYTES * 2)] as const;
  private turn: 0 | 1 = 0;

  /** The buffer the next chunk is written into. */
  get sink(): ByteSink {
    return this.sinks[this.turn];
  }

  /** The chunk written so far; the next is written into the other buffer. */
  drain(): Uint8Array {
    const chunk = this.sinks[this.turn].drain();
    this.turn = this.turn === 0 ? 1 : 0;
    return chunk;
  }
}

/** JSON text of each entry, one array per page, ending with how the read ended. */
export async function* bpftoolJsonPages(source: MapDumpSource): AsyncGenerator<string[], 'done' | 'gone'> {
  const { stream, dumper } = source;
  if (!dumpWalksKeys(stream.layout.info.type)) return 'done';
  const { keySize, valueSize, stride, cpus, perCpu } = stream.layout;
  const slot = perCpu ? stride / cpus : valueSize;
  const values: Uint8Array[] = new Array(cpus);
  for (;;) {
    const step = await stream.next();
    if (step.state !== 'page') return step.state;
    const { keys, values: buf, count, errors } = step.page;
    const texts: string[] = [];
    for (let i = 0; i < count; i++) {
      if (errors && errors[i] !== 0) {
        const text = dumper.errorEntry(keys.subarray(i * keySize, (i + 1) * keySize), errors[i]!);
        if (text !== undefined) texts.push(text);
        continue;
      }
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
 * view per entry. Each chunk is a view of one of two reused buffers: it stays intact while
 * the next chunk is made, so the caller may write it out meanwhile, and must be done with it
 * before asking for the chunk after that.
 */
export async function* bpftoolJsonBytes(source: MapDumpSource): AsyncGenerator<Uint8Array, 'done' | 'gone'> {
  const { stream, dumper } = source;
  const out = new ChunkBuffers();
  if (!dumpWalksKeys(stream.layout.info.type)) return 'done';
  // Entries are comma-separated across chunks once one has been written (a chunk of slots
  // bpftool does not print is empty).
  let written = false;
  for (;;) {
    const step = await stream.next();
    if (step.state !== 'page') return step.state;
    let from = 0;
    while (from < step.page.count) {
      from = dumper.pageInto(out.sink, step.page, stream.layout, written, from, OUTPUT_CHUNK_BYTES);
      const chunk = out.drain();
      written ||= chunk.length > 0;
      yield chunk;
    }
  }
}

/**
 * `bpftool map dump` text as bytes, page by page: the header, the entries, then the footer
 * once the read ends (done) — a map that vanishes ends without it ('gone'). Each chunk is a
 * view of one of two reused buffers, as with bpftoolJsonBytes.
 */
export async function* bpftoolTextBytes(source: MapDumpSource): AsyncGenerator<Uint8Array, 'done' | 'gone'> {
  const { stream } = source;
  const dumper = new BpftoolTextDumper(source.shape, source.btf);
  const out = new ChunkBuffers();
  out.sink.text(dumper.header());
  let end: 'done' | 'gone' = 'done';
  for (let reading = dumpWalksKeys(stream.layout.info.type); reading; ) {
    const step = await stream.next();
    if (step.state !== 'page') {
      end = step.state;
      break;
    }
    let from = 0;
    while (from < step.page.count) {
      from = dumper.pageInto(out.sink, step.page, stream.layout, from, OUTPUT_CHUNK_BYTES);
      yield out.drain();
    }
  }
  // The output is closed either way; the caller says when it is incomplete.
  out.sink.text(dumper.footer());
  yield out.drain();
  return end;
}
