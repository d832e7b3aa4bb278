// `watch map ID [--interval MS] [--key K] [--json]`: prints each poll's changes until
// interrupted (JSON lines with --json), and with --key that key's fields and rates.
import { bpftoolEntryAsJson } from '../kernel/btf/bpftool-map-json.js';
import { parseMapKey } from '../kernel/maps/key-parse.js';
import { mapAccess } from '../kernel/maps/map-kind.js';
import { HostError } from '../hosts/host-error.js';
import { openMapDump, type MapDumpSource } from '../hosts/map-dump.js';
import { MapWatcher, type FieldStat, type MapEntryChange, type MapWatchEvent } from '../live/map-watcher.js';
import { UsageError, type CommandContext } from './context.js';
import { objectIdOf, parseObjectRef } from './object-ref.js';
import { mapGoneError } from './maps.js';

const DEFAULT_INTERVAL_MS = 1000;
const FORMATTED = ',"formatted":';

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

/** A value's bytes for each CPU (one value for a map that is not per-CPU), without the 8-byte slots' padding. */
function cpuValues(source: MapDumpSource, value: Uint8Array): Uint8Array[] {
  const { cpus, perCpu, stride, valueSize } = source.stream.layout;
  const slot = perCpu ? stride / cpus : valueSize;
  return Array.from({ length: perCpu ? cpus : 1 }, (_, cpu) => value.subarray(cpu * slot, cpu * slot + valueSize));
}

/** bpftool's JSON of one entry (hex key and value, formatted when the map has BTF). */
function entryBpftool(source: MapDumpSource, key: Uint8Array, value: Uint8Array): string {
  return source.dumper.entry(key, cpuValues(source, value));
}

/** The entry in a JSON line: bpftool's, made valid where bpftool stops at a type it does not print. */
function entryJson(source: MapDumpSource, key: Uint8Array, value: Uint8Array): string {
  return bpftoolEntryAsJson(entryBpftool(source, key, value));
}

/** Text: the formatted member when there is BTF, else hex, a per-CPU value CPU by CPU as bpftool dumps it. */
function entryText(source: MapDumpSource, key: Uint8Array, value: Uint8Array): string {
  const json = entryBpftool(source, key, value);
  const at = json.indexOf(FORMATTED);
  if (at >= 0) return json.slice(at + FORMATTED.length, -1);
  if (!source.stream.layout.perCpu) return `key: ${hex(key)}  value: ${hex(value)}`;
  return `key: ${hex(key)}  ${cpuValues(source, value).map((v, cpu) => `value (CPU ${String(cpu).padStart(2, '0')}): ${hex(v)}`).join('  ')}`;
}

function statsJson(stats: FieldStat[]): string {
  return JSON.stringify(stats.map((s) => ({ field: s.path, value: s.value, rate: s.rate, per_cpu: s.perCpu })));
}

function statsText(stats: FieldStat[]): string {
  return stats
    .map((s) => `${s.path}=${s.value}${s.rate !== undefined ? ` (${s.rate.toFixed(1)}/s)` : ''}${s.perCpu ? ` [cpu min ${s.perCpu.min} max ${s.perCpu.max}]` : ''}`)
    .join('  ');
}

export async function watchMapCommand(ctx: CommandContext): Promise<number> {
  const { ref } = parseObjectRef(ctx.args, 1, 'map');
  const interval = ctx.flags.interval === undefined ? DEFAULT_INTERVAL_MS : Number(ctx.flags.interval);
  if (!Number.isInteger(interval) || interval < 100 || interval > 60_000) throw new UsageError('--interval: milliseconds, 100..60000');
  const session = await ctx.session();
  const id = await objectIdOf(session, ref, 'map');
  const source = await openMapDump(session, id);
  if (!source) throw new HostError({ code: 'EGONE', message: `map ${id}: not loaded on ${session.label}`, id });
  const access = mapAccess(source.stream.layout.info.type);
  if (access.kind === 'unreadable' || access.kind === 'ring-positions') {
    const why = access.kind === 'unreadable' ? access.reason : 'ring buffer: its records are consumed by its reader, never by bpfscope; the dashboard overview shows its fill';
    throw new HostError({ code: 'ENOTSUP', message: `map ${id}: nothing to watch: ${why}`, id });
  }
  let selected: Uint8Array | undefined;
  if (typeof ctx.flags.key === 'string') {
    try {
      selected = parseMapKey(ctx.flags.key, source.stream.layout.keySize);
    } catch (error) {
      throw new UsageError(`--key ${ctx.flags.key}: ${(error as Error).message.replace(/^key: /, '')}`);
    }
  }
  const json = ctx.flags.json === true;
  const wanted = (change: MapEntryChange): boolean => !selected || hex(change.key) === hex(selected);
  const print = (event: string, time: number, change: MapEntryChange): void => {
    if (!wanted(change)) return;
    if (json) {
      let line = `{"event":"${event}","time_ms":${time}`;
      if (change.value) line += `,"entry":${entryJson(source, change.key, change.value)}`;
      if (change.previous) line += `,"previous":${entryJson(source, change.key, change.previous)}`;
      ctx.io.out(`${line}}\n`);
    } else {
      const mark = event === 'added' ? '+' : event === 'removed' ? '-' : '~';
      const now = change.value ? entryText(source, change.key, change.value) : entryText(source, change.key, change.previous!);
      const was = event === 'changed' ? `\n  was ${entryText(source, change.key, change.previous!)}` : '';
      ctx.io.out(`${mark} ${now}${was}\n`);
    }
  };

  return new Promise<number>((resolve) => {
    const finish = (code: number): void => {
      watcher.stop();
      process.off('SIGINT', onSigint);
      resolve(code);
    };
    const onSigint = (): void => finish(0);
    const onEvent = (event: MapWatchEvent): void => {
      if (event.kind === 'gone') {
        // The same rule as dump map: the map vanishing ends the command with status 1.
        ctx.io.out(json ? `{"event":"gone","time_ms":${event.timeMs},"map_id":${id}}\n` : `map ${id}: gone (unloaded)\n`);
        ctx.io.err(`bpfscope: ${mapGoneError(session, id, 'watched').message}\n`);
        finish(1);
        return;
      }
      if (event.kind === 'error') {
        // The kernel refusing a lookup (an XSK map's values, say; not one of our own ENOTSUP errors):
        // its dump lists each slot with this error, a watch has nothing to compare.
        const refused = event.error.syscall !== undefined && ['ENOTSUP', 'EOPNOTSUPP', 'ENOTSUPP'].includes(event.error.code);
        const why = refused ? `nothing to watch: the kernel refuses to read its values from user space (${event.error.message}); bpfscope dump map ${id} lists each slot with its error` : event.error.message;
        ctx.io.err(`bpfscope: map ${id}: ${why}\n`);
        finish(1);
        return;
      }
      if (event.initial && json) {
        ctx.io.out(`{"event":"start","time_ms":${event.timeMs},"map_id":${id},"entries":${event.entries},"max_entries":${event.maxEntries}}\n`);
      } else if (event.initial) {
        ctx.io.out(`map ${id}: ${event.entries} entries${event.fill !== undefined ? ` (${(event.fill * 100).toFixed(1)}% full)` : ''}; watching every ${interval} ms\n`);
      }
      for (const c of event.added) print('added', event.timeMs, c);
      for (const c of event.changed) print('changed', event.timeMs, c);
      for (const c of event.removed) print('removed', event.timeMs, c);
      for (const key of event.selected) {
        // Only when the key's fields moved (or on the first poll): the output is a change log.
        const moved = event.initial || key.fields.some((f) => f.rate !== 0);
        if (!moved) continue;
        if (json) ctx.io.out(`{"event":"key","time_ms":${event.timeMs},"key":[${Array.from(key.key).join(',')}],"fields":${statsJson(key.fields)}}\n`);
        else ctx.io.out(`  key ${hex(key.key)}: ${statsText(key.fields)}\n`);
      }
    };
    const options = { intervalMs: interval, ...(selected && { keys: [selected] }), ...(source.btf && { btf: source.btf }) };
    const watcher = new MapWatcher(session.host, id, options, onEvent);
    process.on('SIGINT', onSigint);
    watcher.start();
  });
}
