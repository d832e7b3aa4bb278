// One host's state as the metrics endpoint exports it, read once per scrape. What never
// changes while an object lives (a program's sizes, load time and full name; a map's
// type, size and memlock) is read once per object and kept; a scrape reads the run
// counters of every program in one call, the list of map ids, the ring buffer positions,
// what entry counts are due (entry-counts.ts) and the chosen map fields.
import { decodeMapInfo, loadedAtSeconds, parseFdinfo, progFullName } from '../kernel/info/index.js';
import { isHashLike, mapAccess, MapType, valueStride } from '../kernel/maps/map-kind.js';
import { mapTypeName, progTypeName } from '../kernel/names/index.js';
import type { HostSession } from '../hosts/host-session.js';
import { fetchEach } from '../hosts/fetch-each.js';
import { getProgramUnowned } from '../hosts/inventory.js';
import { ringbufLevel, type ProgStatsRecord, type ProgStatsTable } from '../kernel/live/index.js';
import { readProgStats } from '../live/program-sampler.js';
import { possibleCpus } from '../hosts/map-stream.js';
import { EntryCounts, type CountedMap, type EntryCountOptions } from './entry-counts.js';
import { MapFieldReader, specMatches, type FieldReading, type MapFieldSpec } from './map-fields.js';

/** Programs read per scrape: the native walk's bound. */
const MAX_PROGRAMS = 100_000;
/** Messages remembered as said (maps come and go, so the set is bounded). */
const MAX_REPORTED = 4096;

/** A program's run counters as the kernel keeps them (ProgStatsRecord), with what it keeps for life. */
export interface ProgramReading extends Omit<ProgStatsRecord, 'type' | 'name'> {
  /** libbpf's type name, or the number. */
  type: string;
  /** The full name, as `ls progs --json` prints it. */
  name: string;
  xlatedBytes?: number;
  jitedBytes?: number;
  memlockBytes?: number;
  /** Seconds since the epoch. */
  loadTime?: number;
  uid?: number;
}

export interface RingbufReading {
  sizeBytes: number;
  pendingBytes: number;
  fill: number;
  producedBytes: number;
  consumedBytes: number;
}

export interface MapReading {
  id: number;
  type: string;
  name: string;
  maxEntries: number;
  /** Arrays: max_entries; hash-like maps: the last count (absent until one is done). */
  entries?: number;
  memlockBytes?: number;
  ring?: RingbufReading;
}

export interface HostReading {
  host: string;
  up: boolean;
  /** Why the host could not be read (up false). */
  error?: string;
  /** Wall time this reading took, seconds. */
  readSeconds: number;
  /** Run statistics count on this host (our BPF_ENABLE_STATS fd or the sysctl). */
  statsEnabled?: boolean;
  programs: ProgramReading[];
  maps: MapReading[];
  fields: FieldReading[];
  /** Things the user asked for that cannot be given (a --map-field naming no such field), once each. */
  problems: string[];
  /** What a log should say once: a map whose entries cannot be counted, and why. */
  notes: string[];
}

/** What a program keeps for life, read once (tag: which program it was read for). */
type ProgramDetails = Pick<ProgramReading, 'tag' | 'name' | 'xlatedBytes' | 'jitedBytes' | 'memlockBytes' | 'loadTime' | 'uid'>;

interface MapDetails {
  type: number;
  name: string;
  maxEntries: number;
  /** Key plus value bytes of one entry as read. */
  entryBytes: number;
  memlockBytes?: number;
}

export interface HostReaderOptions extends EntryCountOptions {
  mapFields?: readonly MapFieldSpec[];
}

export class HostReader {
  private readonly programs = new Map<number, ProgramDetails>();
  private readonly maps = new Map<number, MapDetails>();
  private readonly counts: EntryCounts;
  private readonly fields: MapFieldReader;
  private readonly reported = new Set<string>();

  constructor(
    readonly session: HostSession,
    options: HostReaderOptions = {},
  ) {
    this.counts = new EntryCounts(session.host, options);
    this.fields = new MapFieldReader(session, options.mapFields ?? []);
  }

  /** Reads the host; failures of the host itself are thrown (the exporter marks it down). */
  async read(host: string, statsEnabled?: boolean): Promise<HostReading> {
    const started = performance.now();
    const table = await readProgStats(this.session.host, MAX_PROGRAMS);
    const programs = await this.readPrograms(table);
    const notes: string[] = [];
    const maps = await this.readMaps(notes);
    const problems: string[] = [];
    const fields = await this.readFields(maps, problems);
    const reading: HostReading = { host, up: true, readSeconds: (performance.now() - started) / 1000, programs, maps, fields, problems, notes };
    if (statsEnabled !== undefined) reading.statsEnabled = statsEnabled;
    return reading;
  }

  private async readPrograms(table: ProgStatsTable): Promise<ProgramReading[]> {
    const seen = new Set<number>();
    const unknown: Array<{ id: number; tag: string; kernelName: string }> = [];
    for (let i = 0; i < table.count; i++) {
      const id = table.id(i);
      seen.add(id);
      const tag = table.tag(i);
      if (this.programs.get(id)?.tag !== tag) unknown.push({ id, tag, kernelName: table.name(i) });
    }
    for (const id of this.programs.keys()) if (!seen.has(id)) this.programs.delete(id);
    if (unknown.length > 0) {
      const bootToWallNs = await this.session.bootToWallNs();
      const found = await fetchEach(unknown.map((_, i) => i), (i) => this.programDetails(unknown[i]!, bootToWallNs));
      for (const [id, details] of found) this.programs.set(id, details);
    }
    const out: ProgramReading[] = [];
    for (let i = 0; i < table.count; i++) {
      const id = table.id(i);
      const details = this.programs.get(id);
      // Unloaded between the walk and its details.
      if (!details) continue;
      const { type, name: _kernelName, ...counters } = table.record(i);
      const { tag: _tag, ...kept } = details;
      const program: ProgramReading = { ...counters, ...kept, type: progTypeName(type) ?? String(type) };
      out.push(program);
    }
    return out;
  }

  /** What a program keeps for life; null when it vanished meanwhile. */
  private async programDetails(
    walked: { id: number; tag: string; kernelName: string },
    bootToWallNs: bigint,
  ): Promise<[number, ProgramDetails] | null> {
    const show = await getProgramUnowned(this.session, walked.id);
    // Unloaded, or its id taken by a program loaded since the walk: the next scrape sees it.
    if (!show || show.info.tag !== walked.tag) return null;
    const { info } = show;
    const details: ProgramDetails = { tag: walked.tag, name: info.name ? progFullName(info, show.firstFuncName) : walked.kernelName };
    if (info.xlatedProgLen !== undefined) details.xlatedBytes = info.xlatedProgLen;
    if (info.jitedProgLen !== undefined) details.jitedBytes = info.jitedProgLen;
    if (show.fdinfo?.memlock !== undefined) details.memlockBytes = Number(show.fdinfo.memlock);
    if (info.loadTime) {
      details.loadTime = Number(loadedAtSeconds(info.loadTime, bootToWallNs));
      details.uid = info.createdByUid ?? 0;
    }
    return [walked.id, details];
  }

  private async readMaps(notes: string[]): Promise<MapReading[]> {
    const host = this.session.host;
    const ids = await host.listIds('map');
    const seen = new Set(ids);
    for (const id of this.maps.keys()) if (!seen.has(id)) this.maps.delete(id);
    const cpus = await possibleCpus(host);
    const found = await fetchEach(
      ids.filter((id) => !this.maps.has(id)),
      async (id): Promise<[number, MapDetails] | null> => {
        const raw = await host.mapInfo(id);
        if (!raw) return null;
        const info = decodeMapInfo(raw.info);
        const memlock = parseFdinfo(raw.fdinfo).memlock;
        const entryBytes = (info.keySize ?? 0) + valueStride(info.type, info.valueSize ?? 0, cpus);
        const details: MapDetails = { type: info.type, name: info.name ?? '', maxEntries: info.maxEntries ?? 0, entryBytes };
        if (memlock !== undefined) details.memlockBytes = Number(memlock);
        return [id, details];
      },
    );
    for (const [id, details] of found) this.maps.set(id, details);
    const out: MapReading[] = [];
    const counted: CountedMap[] = [];
    for (const id of ids) {
      const details = this.maps.get(id);
      if (!details) continue;
      const map: MapReading = { id, type: mapTypeName(details.type) ?? String(details.type), name: details.name, maxEntries: details.maxEntries };
      if (details.memlockBytes !== undefined) map.memlockBytes = details.memlockBytes;
      if (isHashLike(details.type)) counted.push({ id, maxEntries: details.maxEntries, entryBytes: details.entryBytes });
      else if (mapAccess(details.type).kind === 'entries') map.entries = details.maxEntries;
      if ((details.type === MapType.ringbuf || details.type === MapType.userRingbuf) && host.ringbufPositions) {
        const positions = await host.ringbufPositions(id);
        if (!positions) continue;
        map.ring = {
          sizeBytes: positions.dataSize,
          ...ringbufLevel(positions),
          producedBytes: Number(positions.producerPos),
          consumedBytes: Number(positions.consumerPos),
        };
      }
      out.push(map);
    }
    await this.counts.refresh(counted);
    for (const map of out) {
      const entries = this.counts.entries(map.id);
      if (entries !== undefined) map.entries = entries;
      const failure = this.counts.failure(map.id);
      if (failure) this.once(notes, `map ${map.name} (id ${map.id}): no bpf_map_entries: counting its entries failed: ${failure}`);
    }
    return out;
  }

  /** Adds `text` to `list` unless this reader has said it before. */
  private once(list: string[], text: string): void {
    if (this.reported.has(text)) return;
    if (this.reported.size >= MAX_REPORTED) this.reported.clear();
    this.reported.add(text);
    list.push(text);
  }

  private async readFields(maps: readonly MapReading[], problems: string[]): Promise<FieldReading[]> {
    const out: FieldReading[] = [];
    for (const spec of this.fields.specs) {
      for (const map of maps) {
        if (!specMatches(spec, map.id, map.name)) continue;
        const details = this.maps.get(map.id);
        if (!details) continue;
        const result = await this.fields.read(spec, { id: map.id, name: map.name, maxEntries: details.maxEntries, entryBytes: details.entryBytes }).catch((error: unknown) => `--map-field ${spec.text}: map ${map.name} (id ${map.id}): ${error instanceof Error ? error.message : String(error)}`);
        if (typeof result !== 'string') out.push(...result);
        else this.once(problems, result);
      }
    }
    return out;
  }
}
