// A whole map as `bpftool map dump -j` prints it, produced page by page from MapStream so
// a dump of any size holds one page of entries at a time.
import { BpftoolMapDumper, ByteSink, bpftoolHexArray, type Btf } from '../kernel/btf/index.js';
import { mapAccess, MapType } from '../kernel/maps/map-kind.js';
import type { HostSession } from './host-session.js';
import { MapStream, type MapStreamOptions } from './map-stream.js';

/** Entries per page while dumping: small enough that each page's JSON strings die young (cheap GC). */
export const DUMP_PAGE_ENTRIES = 1024;
/** bpftool's text for the kernel's ENOTSUPP (strerror of 524). */
const ENOTSUPP_TEXT = 'Unknown error 524';

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

type EntryVisitor = (key: Uint8Array, values: readonly Uint8Array[]) => void;

/**
 * Visits each entry (key, one value per possible CPU), yielding after every page, and
 * returns how the read ended. Maps whose slots refuse lookups (perf_event_array,
 * cgroup_array) give bpftool's per-slot error objects as text; other unreadable kinds give
 * no entries, as bpftool does.
 */
async function* eachEntryPage(source: MapDumpSource, entry: EntryVisitor, errorEntry: (text: string) => void): AsyncGenerator<void, 'done' | 'gone'> {
  const { stream } = source;
  const { info, keySize, valueSize, stride, cpus, perCpu } = stream.layout;
  const access = mapAccess(info.type);
  if (access.kind === 'unreadable' || access.kind === 'ring-positions') {
    if (info.type !== MapType.perfEventArray && info.type !== MapType.cgroupArray) return 'done';
    const key = new Uint8Array(4);
    const view = new DataView(key.buffer);
    for (let i = 0; i < (info.maxEntries ?? 0) && i < DUMP_PAGE_ENTRIES * 16; i++) {
      view.setUint32(0, i, true);
      errorEntry(`{"key":${bpftoolHexArray(key, 0, 4)},"value":{"error":"${ENOTSUPP_TEXT}"}}`);
    }
    yield;
    return 'done';
  }
  const slot = perCpu ? stride / cpus : valueSize;
  const values: Uint8Array[] = new Array(cpus);
  for (;;) {
    const step = await stream.next();
    if (step.state !== 'page') return step.state;
    const { keys, values: buf, count } = step.page;
    for (let i = 0; i < count; i++) {
      const base = i * stride;
      for (let cpu = 0; cpu < cpus; cpu++) values[cpu] = buf.subarray(base + cpu * slot, base + cpu * slot + valueSize);
      entry(keys.subarray(i * keySize, (i + 1) * keySize), values);
    }
    yield;
  }
}

/** JSON text of each entry, one array per page, ending with how the read ended. */
export async function* bpftoolJsonPages(source: MapDumpSource): AsyncGenerator<string[], 'done' | 'gone'> {
  let page: string[] = [];
  const pages = eachEntryPage(source, (key, values) => page.push(source.dumper.entry(key, values)), (text) => page.push(text));
  for (;;) {
    const step = await pages.next();
    if (step.done) return step.value;
    yield page;
    page = [];
  }
}

/**
 * The same entries as bytes, comma-separated across pages (the caller adds `[` and `]`):
 * what `dump map --json` writes, without a string per entry.
 */
export async function* bpftoolJsonBytes(source: MapDumpSource): AsyncGenerator<Uint8Array, 'done' | 'gone'> {
  const sink = new ByteSink();
  let first = true;
  const separate = () => {
    if (!first) sink.text(',');
    first = false;
  };
  const pages = eachEntryPage(
    source,
    (key, values) => {
      separate();
      source.dumper.entryInto(sink, key, values);
    },
    (text) => {
      separate();
      sink.text(text);
    },
  );
  for (;;) {
    const step = await pages.next();
    if (step.done) return step.value;
    if (sink.size > 0) yield sink.take();
  }
}
