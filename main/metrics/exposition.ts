// Host readings as Prometheus text (0.0.4) or OpenMetrics 1.0, written by prom-client: one
// registry per scrape whose collectors answer with the samples of the readings just taken
// (nothing is kept between scrapes, so two scrapes in different formats share no state).
import { Registry, type Metric, type RegistryContentType } from 'prom-client';
import type { HostReading, MapReading, ProgramReading } from './host-reading.js';
import type { FieldReading } from './map-fields.js';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

type Labels = Record<string, string | number>;

/** One metric family over items of one kind (programs, maps, fields, hosts). */
interface Family<T> {
  /** The sample name in Prometheus text (counters end in `_total`). */
  name: string;
  help: string;
  type: 'counter' | 'gauge';
  /** Labels besides the item's own (its host, id, name, type): the info family's. */
  labels?: (item: T) => Labels;
  /** undefined: no sample for this item (the kernel does not report it). */
  value: (item: T) => number | undefined;
}

const family = <T>(name: string, type: Family<T>['type'], help: string, value: Family<T>['value']): Family<T> => ({ name, type, help, value });
const ns = (v: number | undefined): number | undefined => (v === undefined ? undefined : v / 1e9);

export const PROGRAM_FAMILIES: ReadonlyArray<Family<ProgramReading>> = [
  {
    name: 'bpf_program_info',
    type: 'gauge',
    help: 'A loaded BPF program (always 1): its tag and loader uid.',
    labels: (p) => ({ tag: p.tag, uid: p.uid ?? '' }),
    value: () => 1,
  },
  family('bpf_program_run_count_total', 'counter', 'Runs of the program counted by the kernel (only while run statistics are enabled).', (p) => p.runCnt),
  family('bpf_program_run_time_seconds_total', 'counter', 'Time the program ran, as the kernel counts it (only while run statistics are enabled).', (p) => ns(p.runTimeNs)),
  family('bpf_program_recursion_misses_total', 'counter', 'Runs the kernel skipped because the program was already running on that CPU.', (p) => p.recursionMisses),
  family('bpf_program_verified_insns', 'gauge', 'Instructions the verifier processed when the program was loaded.', (p) => p.verifiedInsns),
  family('bpf_program_xlated_bytes', 'gauge', 'Size of the program as the verifier rewrote it.', (p) => p.xlatedBytes),
  family('bpf_program_jited_bytes', 'gauge', 'Size of the JIT-compiled image (0: not JIT-ed).', (p) => p.jitedBytes),
  family('bpf_program_memlock_bytes', 'gauge', 'Memory charged to the program (fdinfo memlock).', (p) => p.memlockBytes),
  family('bpf_program_load_time_seconds', 'gauge', 'When the program was loaded, seconds since the epoch.', (p) => p.loadTime),
];

export const MAP_FAMILIES: ReadonlyArray<Family<MapReading>> = [
  family('bpf_map_entries', 'gauge', 'Entries in the map: max_entries for arrays, counted for hash-like maps (recounted as the cost allows).', (m) => m.entries),
  family('bpf_map_max_entries', 'gauge', 'The map\'s max_entries.', (m) => m.maxEntries),
  family('bpf_map_memlock_bytes', 'gauge', 'Memory charged to the map (fdinfo memlock).', (m) => m.memlockBytes),
  family('bpf_ringbuf_size_bytes', 'gauge', 'Data area of a ring buffer.', (m) => m.ring?.sizeBytes),
  family('bpf_ringbuf_pending_bytes', 'gauge', 'Bytes produced and not yet consumed.', (m) => m.ring?.pendingBytes),
  family('bpf_ringbuf_fill_ratio', 'gauge', 'Pending bytes over the data area size, 0 to 1.', (m) => m.ring?.fill),
  family('bpf_ringbuf_produced_bytes_total', 'counter', 'The producer position: bytes reserved since the ring buffer was created, record headers included.', (m) => m.ring?.producedBytes),
  family('bpf_ringbuf_consumed_bytes_total', 'counter', 'The consumer position: bytes consumed since the ring buffer was created.', (m) => m.ring?.consumedBytes),
];

export const FIELD_FAMILY: Family<FieldReading> = family(
  'bpf_map_field_value',
  'gauge',
  'A numeric field of a map value chosen with --map-field (per-CPU values summed).',
  (f) => f.value,
);

export const HOST_FAMILIES: ReadonlyArray<Family<HostReading>> = [
  family('bpfscope_host_up', 'gauge', 'Whether the host answered this scrape (1) or not (0).', (r) => (r.up ? 1 : 0)),
  family('bpfscope_host_read_seconds', 'gauge', 'Time taken to read the host for this scrape.', (r) => r.readSeconds),
  family(
    'bpf_run_stats_enabled',
    'gauge',
    'Whether the kernel counts program run statistics (BPF_ENABLE_STATS held by bpfscope, or kernel.bpf_stats_enabled).',
    (r) => (r.statsEnabled === undefined ? undefined : r.statsEnabled ? 1 : 0),
  ),
];

/** Every sample name the endpoint can export (docs and dashboards are checked against it). */
export const METRIC_NAMES: readonly string[] = [...HOST_FAMILIES, ...PROGRAM_FAMILIES, ...MAP_FAMILIES, FIELD_FAMILY].map((f) => f.name);

export const CONTENT_TYPES: Record<ExpositionFormat, RegistryContentType> = {
  prometheus: Registry.PROMETHEUS_CONTENT_TYPE,
  openmetrics: Registry.OPENMETRICS_CONTENT_TYPE,
};

/** OpenMetrics when the scraper accepts it (Prometheus asks for it first), else the classic text. */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  return /application\/openmetrics-text/i.test(accept ?? '') ? 'openmetrics' : 'prometheus';
}

interface Value {
  value: number;
  labels?: Labels;
  /** The item's own labels: one object per item for every family, so prom-client formats it once. */
  sharedLabels: Labels;
}

/** Samples of every family, by name, in the order the families are declared. */
class Samples {
  readonly byName = new Map<string, { family: Family<never>; values: Value[] }>();

  declare(families: ReadonlyArray<Family<never>>): void {
    for (const f of families) this.byName.set(f.name, { family: f, values: [] });
  }

  add<T>(families: ReadonlyArray<Family<T>>, items: readonly T[], own: (item: T) => Labels): void {
    const shared = items.map(own);
    for (const f of families) {
      const { values } = this.byName.get(f.name)!;
      items.forEach((item, i) => {
        const value = f.value(item);
        if (value === undefined) return;
        values.push(f.labels ? { value, labels: f.labels(item), sharedLabels: shared[i]! } : { value, sharedLabels: shared[i]! });
      });
    }
  }
}

/**
 * A collector as prom-client's registry uses one: a name and a get() answering with the
 * samples. (Its typings name only its own metric classes, whose per-sample label hashing
 * costs several times the formatting at 1,000 programs; the registry needs no more than this.)
 */
function collector(f: Family<never>, values: Value[], format: ExpositionFormat): Metric {
  // OpenMetrics names a counter family without `_total`, and prom-client adds it to each sample.
  const name = format === 'openmetrics' && f.type === 'counter' ? f.name.replace(/_total$/, '') : f.name;
  const got = { name, help: f.help, type: f.type, aggregator: 'sum', values };
  return { name, get: async () => got } as unknown as Metric;
}

/** The exposition text of these readings. */
export async function renderMetrics(readings: readonly HostReading[], format: ExpositionFormat): Promise<string> {
  const samples = new Samples();
  // Every family is declared even when no host has a sample of it, so HELP and TYPE are stable.
  samples.declare([...HOST_FAMILIES, ...PROGRAM_FAMILIES, ...MAP_FAMILIES, FIELD_FAMILY]);
  for (const reading of readings) {
    const { host } = reading;
    const object = (o: { id: number; name: string; type: string }): Labels => ({ host, id: o.id, name: o.name, type: o.type });
    samples.add(HOST_FAMILIES, [reading], () => ({ host }));
    samples.add(PROGRAM_FAMILIES, reading.programs, object);
    samples.add(MAP_FAMILIES, reading.maps, object);
    samples.add([FIELD_FAMILY], reading.fields, (f) => ({ host, id: f.mapId, name: f.mapName, field: f.field, key: f.key }));
  }
  const registry = new Registry<RegistryContentType>();
  registry.setContentType(CONTENT_TYPES[format]);
  for (const { family: f, values } of samples.byName.values()) registry.registerMetric(collector(f, values, format));
  return registry.metrics();
}
