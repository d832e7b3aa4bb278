// Takes a snapshot of a host: every object's raw info as the host returned it, owners, BTF,
// the kallsyms entries listings need, host facts and map contents up to a limit, written as
// one gzip'd tar (docs/snapshot-format.md). Uses only the Host's read operations.
import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGzip } from 'node:zlib';
import { decodeBtfInfo, decodeMapInfo, u64Array } from '../kernel/info/index.js';
import { decodeInstructions } from '../kernel/isa/index.js';
import {
  fdinfoPath, hostFilePath, mapContentPath, MANIFEST_PATH, OWNERS_PATH, RAW_PARTS, rawPath, SNAPSHOT_FORMAT, SNAPSHOT_VERSION,
  type SnapshotChecksum, type SnapshotHostFacts, type SnapshotKind, type SnapshotManifest, type SnapshotMapContent,
} from '../kernel/snapshot/format.js';
import { encodeTar, type TarEntry } from '../kernel/snapshot/tar.js';
import { outputTarget, writeFileAtomically } from './atomic-file.js';
import type { Host, ObjectKind, RawInfo } from './host.js';
import { collectAttachments } from './attachments.js';
import { HostSession } from './host-session.js';
import { MapStream } from './map-stream.js';
import { CALLS_PATH, encodeCallLog, recordingHost, type CallLog } from './snapshot-calls.js';
import { readArena } from './arena.js';
import { BPF_MAP_TYPE_ARENA } from '../kernel/maps/arena.js';
import { KALLSYMS_LIMIT, VMLINUX_BTF_LIMIT } from './host-session.js';

export interface SnapshotOptions {
  /** Which maps' contents to read. */
  maps: 'all' | 'none' | number[];
  /** Entries read per map at most. */
  maxEntries: number;
  /** Store vmlinux BTF bytes (else only its id, size and sha256). */
  withVmlinux: boolean;
  /** Progress lines (without newline). */
  progress?: (line: string) => void;
}

export interface SnapshotSummary {
  manifest: SnapshotManifest;
  bytes: number;
}

const FILE_LIMIT = 1 << 20;
const ATTACHMENT_MAP_TYPES = new Set([3, 26]);
/** A map read slower than this gets its own progress line. */
const PROGRESS_MS = 250;
const FACT_FILES = {
  kernelRelease: '/proc/sys/kernel/osrelease',
  arch: '/proc/sys/kernel/arch',
  possibleCpus: '/sys/devices/system/cpu/possible',
} as const;
const SETTING_FILES = [
  '/proc/sys/net/core/bpf_jit_enable', '/proc/sys/net/core/bpf_jit_harden', '/proc/sys/net/core/bpf_jit_kallsyms',
  '/proc/sys/net/core/bpf_jit_limit', '/proc/sys/kernel/unprivileged_bpf_disabled', '/proc/sys/kernel/bpf_stats_enabled',
  '/proc/sys/kernel/kptr_restrict', '/sys/devices/system/cpu/online', '/proc/version',
];
const encoder = new TextEncoder();
const decoder = new TextDecoder();

class Recorder {
  readonly entries: TarEntry[] = [];
  readonly files: string[] = [];
  readonly checksums: Record<string, SnapshotChecksum> = {};
  bytes = 0;

  add(path: string, data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    this.entries.push({ path, data: bytes });
    this.checksums[path] = { size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
    this.bytes += bytes.length;
  }

  addFile(path: string, data: Uint8Array): void {
    this.add(hostFilePath(path), data);
    this.files.push(path);
  }
}

async function readOptional(host: Host, path: string, limit = FILE_LIMIT): Promise<Uint8Array | undefined> {
  try {
    return await host.readFile(path, limit);
  } catch {
    return undefined;
  }
}

/** Kernel addresses the listings resolve: helper and kfunc calls of every program, and link addresses. */
function addressesOfCalls(xlated: Uint8Array, callBase: bigint, into: Set<bigint>): void {
  for (const insn of decodeInstructions(xlated)) {
    if (insn.kind === 'call' && insn.callee !== 'subprog') into.add(BigInt.asUintN(64, callBase + BigInt(insn.imm)));
  }
}

/** The kallsyms lines a listing of the recorded programs and links can ask for. */
function filterKallsyms(text: string, addresses: Set<bigint>): string {
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) continue;
    if (line.endsWith('\t[bpf]') || line.endsWith(' __bpf_call_base') || addresses.has(BigInt(`0x${line.slice(0, space)}`))) kept.push(line);
  }
  return kept.length ? `${kept.join('\n')}\n` : '';
}

function callBaseOf(kallsyms: string): bigint | undefined {
  const match = /^([0-9a-f]+) \w __bpf_call_base$/m.exec(kallsyms);
  return match ? BigInt(`0x${match[1]}`) : undefined;
}

function recordInfo(rec: Recorder, kind: SnapshotKind, raw: RawInfo & Record<string, unknown>, parts: readonly string[]): void {
  for (const part of parts) {
    const key = part.replace(/_(\w)/g, (_m, c: string) => c.toUpperCase());
    const value = raw[key];
    if (value instanceof Uint8Array) rec.add(rawPath(kind, raw.id, part), value);
  }
  rec.add(fdinfoPath(kind, raw.id), raw.fdinfo);
}

/** Per-slot errnos as u32 little-endian, the snapshot's byte order whatever the host's. */
function errorBytes(pages: readonly { at: number; errors: Int32Array }[], count: number): Uint8Array {
  const bytes = new Uint8Array(count * 4);
  const view = new DataView(bytes.buffer);
  for (const { at, errors } of pages) errors.forEach((errno, i) => view.setUint32((at + i) * 4, errno, true));
  return bytes;
}

async function recordMapContents(host: Host, id: number, maxEntries: number, rec: Recorder): Promise<SnapshotMapContent | undefined> {
  // Refused slots are kept, with their errno, so the snapshot's dump lists them as the map's did.
  const stream = await MapStream.open(host, id, { slotErrors: true });
  if (!stream) return undefined;
  const { keySize, stride } = stream.layout;
  const keys: Uint8Array[] = [];
  const values: Uint8Array[] = [];
  /** The pages where some lookup was refused, by the index of their first entry; the others are all zeroes. */
  const errors: { at: number; errors: Int32Array }[] = [];
  let refusedSlots = 0;
  let count = 0;
  let state: SnapshotMapContent['state'] = 'done';
  let error: string | undefined;
  try {
    for (;;) {
      const step = await stream.next();
      if (step.state !== 'page') { state = step.state; break; }
      const take = Math.min(step.page.count, maxEntries - count);
      keys.push(step.page.keys.subarray(0, take * keySize));
      values.push(step.page.values.subarray(0, take * stride));
      const pageErrors = step.page.errors?.subarray(0, take);
      if (pageErrors) {
        errors.push({ at: count, errors: pageErrors });
        for (const errno of pageErrors) if (errno !== 0) refusedSlots++;
      }
      count += take;
      if (take < step.page.count) { state = 'limit'; break; }
      if (count >= maxEntries) {
        // Exactly full: only the next step tells whether entries were left out.
        const after = await stream.next();
        state = after.state === 'page' ? 'limit' : after.state;
        break;
      }
    }
  } catch (e) {
    state = 'error';
    error = (e as Error).message;
  }
  rec.add(mapContentPath(id, 'keys'), Buffer.concat(keys));
  rec.add(mapContentPath(id, 'values'), Buffer.concat(values));
  const content: SnapshotMapContent = { count, keySize, stride, complete: state === 'done', state };
  if (refusedSlots > 0) {
    rec.add(mapContentPath(id, 'errors'), errorBytes(errors, count));
    content.refusedSlots = refusedSlots;
  }
  if (error !== undefined) content.error = error;
  return content;
}

async function hostFacts(host: Host, rec: Recorder): Promise<SnapshotHostFacts> {
  const facts: SnapshotHostFacts = { label: host.label, settings: {} };
  for (const [key, path] of Object.entries(FACT_FILES) as [keyof typeof FACT_FILES, string][]) {
    const bytes = await readOptional(host, path);
    if (!bytes) continue;
    rec.addFile(path, bytes);
    facts[key] = decoder.decode(bytes).trim();
  }
  for (const path of SETTING_FILES) {
    const bytes = await readOptional(host, path);
    if (!bytes) continue;
    rec.addFile(path, bytes);
    facts.settings[path.replace(/^\/proc\/sys\//, '').replace(/\//g, '.')] = decoder.decode(bytes).trim();
  }
  return facts;
}

/** `host` with its recorded calls written to `log` and the files it reads to the snapshot. */
function recording(host: Host, rec: Recorder, log: CallLog): Host {
  const readFile = async (path: string, limit: number): Promise<Uint8Array> => {
    const bytes = await host.readFile(path, limit);
    if (!rec.files.includes(path)) rec.addFile(path, bytes);
    return bytes;
  };
  return recordingHost(host, log, readFile);
}

/** Runs the attachment views once through a recording host, keeping every query's answer. */
async function recordAttachments(host: Host, say: (line: string) => void): Promise<void> {
  try {
    const views = await collectAttachments(new HostSession(host));
    say(`snapshot: attachments: ${views.net.length} network namespaces, ${views.cgroups.length} cgroup views, ${views.perf.length} perf events`);
  } catch (error) {
    say(`snapshot: attachments not recorded: ${(error as Error).message}`);
  }
}

/** Pages of an arena recorded at most (the dashboard shows fewer; dump map prints them). */
const ARENA_PAGES_RECORDED = 1024;

/** Reads each arena through its holder as the dashboard and dump map do, keeping the page reads. */
async function recordArenas(host: Host, ids: number[], say: (line: string) => void): Promise<void> {
  for (const id of ids) {
    const read = await readArena(new HostSession(host), id, ARENA_PAGES_RECORDED).catch((error: unknown) => ({ note: (error as Error).message, presentPages: 0 }));
    say(`snapshot: arena map ${id}: ${read.note ?? `${read.presentPages} pages present`}`);
  }
}

/** Reads everything from `host` and writes the snapshot to `path`. */
export async function writeSnapshot(host: Host, path: string, options: SnapshotOptions): Promise<SnapshotSummary> {
  const say = options.progress ?? (() => undefined);
  await outputTarget(path);
  const rec = new Recorder();
  const clocks = await host.clocks();
  const facts = await hostFacts(host, rec);
  const ids: Record<ObjectKind, number[]> = { prog: [], map: [], link: [], btf: [] };
  const kallsymsText = decoder.decode(await host.readFile('/proc/kallsyms', KALLSYMS_LIMIT));
  const callBase = callBaseOf(kallsymsText) ?? 0n;
  const addresses = new Set<bigint>();

  for (const id of await host.listIds('prog')) {
    const raw = await host.progInfo(id, true);
    if (!raw) continue;
    ids.prog.push(id);
    recordInfo(rec, 'prog', raw as unknown as RawInfo & Record<string, unknown>, RAW_PARTS.prog);
    addressesOfCalls(raw.xlated, callBase, addresses);
  }
  say(`snapshot: ${ids.prog.length} programs`);
  /** prog_array and struct_ops maps: their contents say which programs run where (attachments). */
  const attachmentMaps: number[] = [];
  const arenas: number[] = [];
  for (const id of await host.listIds('map')) {
    const raw = await host.mapInfo(id);
    if (!raw) continue;
    ids.map.push(id);
    recordInfo(rec, 'map', raw as RawInfo & Record<string, unknown>, RAW_PARTS.map);
    const { type } = decodeMapInfo(raw.info);
    if (ATTACHMENT_MAP_TYPES.has(type)) attachmentMaps.push(id);
    if (type === BPF_MAP_TYPE_ARENA) arenas.push(id);
  }
  say(`snapshot: ${ids.map.length} maps`);
  for (const id of await host.listIds('link')) {
    const raw = await host.linkInfo(id);
    if (!raw) continue;
    ids.link.push(id);
    recordInfo(rec, 'link', raw as unknown as RawInfo & Record<string, unknown>, RAW_PARTS.link);
    for (const address of u64Array(raw.addrs)) addresses.add(address);
  }
  say(`snapshot: ${ids.link.length} links`);

  let vmlinux: SnapshotManifest['vmlinux'];
  for (const id of await host.listIds('btf')) {
    const raw = await host.btfInfo(id);
    if (!raw) continue;
    ids.btf.push(id);
    const info = decodeBtfInfo(raw.info, raw.name);
    const isVmlinux = info.kernelBtf === true && info.name === 'vmlinux';
    if (isVmlinux) {
      vmlinux = { id, size: raw.data.length, sha256: createHash('sha256').update(raw.data).digest('hex'), included: options.withVmlinux };
      if (options.withVmlinux) {
        const file = await host.readFile('/sys/kernel/btf/vmlinux', VMLINUX_BTF_LIMIT);
        rec.addFile('/sys/kernel/btf/vmlinux', file);
      }
    }
    const parts = isVmlinux && !options.withVmlinux ? RAW_PARTS.btf.filter((p) => p !== 'data') : RAW_PARTS.btf;
    recordInfo(rec, 'btf', raw as unknown as RawInfo & Record<string, unknown>, parts);
  }
  say(`snapshot: ${ids.btf.length} BTF objects${vmlinux && !vmlinux.included ? ' (vmlinux by hash only)' : ''}`);

  const owners = await host.owners();
  rec.add(OWNERS_PATH, JSON.stringify(owners));
  // Who the holders are (command line, unit, container): read again from the snapshot.
  for (const pid of new Set(owners.map((o) => o.pid))) {
    for (const path of [`/proc/${pid}/cmdline`, `/proc/${pid}/cgroup`]) {
      const bytes = await readOptional(host, path);
      if (bytes) rec.addFile(path, bytes);
    }
  }
  const log: CallLog = {};
  await recordAttachments(recording(host, rec, log), say);
  await recordArenas(recording(host, rec, log), arenas, say);
  rec.add(CALLS_PATH, encodeCallLog(log));
  rec.addFile('/proc/kallsyms', encoder.encode(filterKallsyms(kallsymsText, addresses)));

  const mapContents: Record<string, SnapshotMapContent> = {};
  const chosen = options.maps === 'all' ? ids.map : options.maps === 'none' ? [] : options.maps.filter((id) => ids.map.includes(id));
  // Whatever --maps chose, the maps attachments are read from: without them show prog and the graph could not say where programs run.
  const wanted = [...new Set([...chosen, ...attachmentMaps])].sort((a, b) => a - b);
  for (const [i, id] of wanted.entries()) {
    const started = performance.now();
    const content = await recordMapContents(host, id, options.maxEntries, rec);
    if (!content) continue;
    mapContents[String(id)] = content;
    const ms = Math.round(performance.now() - started);
    // One line per map that takes time or fails; a summary for the rest.
    if (ms >= PROGRESS_MS || content.state === 'error' || content.state === 'limit') {
      say(`snapshot: map ${id} (${i + 1}/${wanted.length}): ${content.count} entries, ${content.error ?? content.state}, ${ms} ms`);
    }
  }
  if (wanted.length > 0) {
    const entries = Object.values(mapContents).reduce((sum, c) => sum + c.count, 0);
    say(`snapshot: contents of ${Object.keys(mapContents).length} maps, ${entries} entries`);
  }

  const manifest: SnapshotManifest = {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    createdAt: new Date().toISOString(),
    host: facts,
    clocks: { realtimeNs: clocks.realtimeNs.toString(), boottimeNs: clocks.boottimeNs.toString() },
    options: { maps: options.maps, maxEntries: options.maxEntries, withVmlinux: options.withVmlinux },
    ids,
    ...(vmlinux ? { vmlinux } : {}),
    mapContents,
    files: rec.files,
    checksums: rec.checksums,
  };
  const entries = [{ path: MANIFEST_PATH, data: encoder.encode(`${JSON.stringify(manifest, null, 2)}\n`) }, ...rec.entries];
  const chunks = encodeTar(entries, Date.now() / 1000);
  // Written beside the target and renamed: a failed or interrupted snapshot leaves no half file.
  await writeFileAtomically(path, (out) => pipeline(Readable.from(chunks), createGzip({ level: 3 }), out));
  say(`snapshot: wrote ${path} (${rec.bytes} bytes of records)`);
  return { manifest, bytes: rec.bytes };
}
