// A program in one sentence and a few facts: what it runs on, who holds it, which maps it
// reads, writes, emits to and jumps through, and how busy it is. The same object is the
// `summary` of `show prog --json`, the text line of `show prog` and the dashboard's chips.
import type { AttachPoint } from '../attach/index.js';
import type { MapAccessReport } from '../access/index.js';
import { rateWords, shortNumber, unheldWords } from './glance.js';
import { attachHook } from './host-graph.js';

export interface SummaryMap {
  id: number;
  name: string;
  type: string;
  /** Loaded and stored directly (global data). */
  direct?: true;
  /** Through a map-in-map: one of the maps it holds. */
  inner?: true;
}

export interface SummaryHolder {
  pid: number;
  comm: string;
  /** BPF objects it holds in all (the tool that loaded a program holds most). */
  held_objects?: number;
  command_line?: string;
  /** Unit, container or pod, in a few words. */
  place?: string;
  gone?: true;
}

export interface SummaryBusy {
  /** Live rates (the dashboard's sampler). */
  runs_per_sec?: number;
  avg_run_ns?: number;
  /** Counters since statistics were turned on. */
  run_cnt?: number;
  run_time_ns?: number;
  /** False when the kernel does not count runs (run statistics off). */
  stats: boolean;
}

export interface ProgramSummary {
  sentence: string;
  /** The sentence's parts, in order; the last says how busy it is (a live view puts its own rates there). */
  facts: string[];
  runs_on: Array<{ kind: string; target: string; mechanism: string; link_id?: number }>;
  /** Why runs_on may be incomplete: perf_event programs' events are not named by the kernel. */
  runs_on_note?: string;
  /** An object file's program: the section libbpf attaches it by. */
  section?: string;
  held_by: SummaryHolder[];
  reads: SummaryMap[];
  writes: SummaryMap[];
  emits: SummaryMap[];
  jumps: SummaryMap[];
  /** Flows the access analysis could not follow: the lists above may miss what these do. */
  untracked: Array<{ insn: number; reason: string }>;
  /** Why there is no access analysis (no instructions readable), when there is none. */
  access_error?: string;
  busy: SummaryBusy;
}

export interface SummaryInput {
  /** libbpf's name of the program type. */
  progType: string;
  /** A program of an object file, not loaded: its section, which says where libbpf would attach it. */
  objectSection?: string;
  attachPoints: readonly AttachPoint[];
  holders: readonly SummaryHolder[];
  access: MapAccessReport | { error: string };
  map(id: number): { name: string; type: string } | undefined;
  busy: SummaryBusy;
}

const NAMES_IN_SENTENCE = 3;

function names(maps: readonly SummaryMap[]): string {
  const shown = maps.slice(0, NAMES_IN_SENTENCE).map((m) => (m.inner ? `a map in ${m.name}` : m.name));
  return maps.length > NAMES_IN_SENTENCE ? `${shown.join(', ')} and ${maps.length - NAMES_IN_SENTENCE} more` : shown.join(', ');
}

/**
 * BPF_TASK_FD_QUERY refuses perf events whose program is of type perf_event (sampling, timers:
 * bpftrace's profile, interval, software), so where such a program runs is not visible.
 */
const PERF_EVENT_NOTE = 'the kernel does not name the perf events a perf_event program is attached to';

function runsOnWords(points: ProgramSummary['runs_on'], note: string | undefined): string {
  if (points.length === 0) return note ? 'Runs on perf events the kernel does not name' : 'Runs nowhere (loaded, not attached)';
  const [first] = points;
  const via = first!.link_id !== undefined ? ` via link ${first!.link_id}` : '';
  const more = points.length > 1 ? ` and ${points.length - 1} more` : '';
  return `Runs on ${first!.kind.replace(/_/g, ' ')}${first!.target ? ` ${first!.target}` : ''}${via}${more}`;
}

function holderWords(holders: readonly SummaryHolder[], attached: boolean): string {
  if (holders.length === 0) return `held by no process (${unheldWords(attached)})`;
  const [first] = holders;
  const more = holders.length > 1 ? ` and ${holders.length - 1} more` : '';
  return `held by ${first!.comm} (pid ${first!.pid}${first!.gone ? ', gone' : ''})${more}`;
}

export function busyWords(busy: SummaryBusy): string {
  if (busy.runs_per_sec !== undefined) return rateWords(busy.runs_per_sec, busy.avg_run_ns);
  const runs = busy.run_cnt ?? 0;
  if (!busy.stats) return runs > 0 ? `run statistics off (${shortNumber(runs)} runs counted while on)` : 'run statistics off';
  const avg = runs > 0 ? `, ${shortNumber((busy.run_time_ns ?? 0) / runs)} ns avg` : '';
  return `${shortNumber(runs)} runs since statistics were on${avg}`;
}

export function summarizeProgram(input: SummaryInput): ProgramSummary {
  const summary: ProgramSummary = {
    sentence: '',
    facts: [],
    runs_on: input.attachPoints.map((p) => ({ kind: p.kind, target: attachHook(p), mechanism: p.mechanism, ...(p.linkId !== undefined ? { link_id: p.linkId } : {}) })),
    // The tool that loaded a program holds the most objects; one enumerating them holds one at a time.
    held_by: [...input.holders].sort((a, b) => (b.held_objects ?? 0) - (a.held_objects ?? 0) || a.pid - b.pid),
    reads: [],
    writes: [],
    emits: [],
    jumps: [],
    untracked: [],
    busy: input.busy,
  };
  if (summary.runs_on.length === 0 && input.progType === 'perf_event') summary.runs_on_note = PERF_EVENT_NOTE;
  if ('error' in input.access) {
    summary.access_error = input.access.error;
  } else {
    for (const m of input.access.maps) {
      const known = input.map(m.mapId);
      const entry: SummaryMap = { id: m.mapId, name: known?.name || `map ${m.mapId}`, type: known?.type ?? '' };
      if (m.direct) entry.direct = true;
      if (m.inner) entry.inner = true;
      const lists = { read: summary.reads, write: summary.writes, emit: summary.emits, jump: summary.jumps };
      for (const kind of m.access) lists[kind].push(entry);
    }
    summary.untracked = input.access.untracked.map((u) => ({ insn: u.insn, reason: u.reason }));
  }
  if (input.objectSection !== undefined) summary.section = input.objectSection;
  const parts = input.objectSection !== undefined
    ? [`Not loaded (an object file); SEC("${input.objectSection}") says where it attaches`]
    : [runsOnWords(summary.runs_on, summary.runs_on_note), holderWords(summary.held_by, summary.runs_on.length > 0 || summary.runs_on_note !== undefined)];
  if (summary.reads.length) parts.push(`reads ${names(summary.reads)}`);
  if (summary.writes.length) parts.push(`writes ${names(summary.writes)}`);
  if (summary.emits.length) parts.push(`emits to ${names(summary.emits)}`);
  if (summary.jumps.length) parts.push(`jumps through ${names(summary.jumps)}`);
  if (summary.access_error) parts.push('maps not analysed');
  else if (summary.untracked.length) parts.push(`${summary.untracked.length} flow${summary.untracked.length === 1 ? '' : 's'} not followed`);
  if (input.objectSection === undefined) parts.push(busyWords(summary.busy));
  summary.facts = parts;
  summary.sentence = parts.join(' · ');
  return summary;
}
