// `bpfscope top`: a refreshing table of program run statistics, like bpftop, or with
// --json one sample for scripts. Stats are on (through our fd) only while it runs.
import type { HostSession } from '../hosts/host-session.js';
import { ProgramSampler, MAX_INTERVAL_MS, MIN_INTERVAL_MS, type HostTotals, type ProgramSample, type ProgramStats } from '../live/program-sampler.js';
import type { StatsCostEstimate } from '../kernel/live/index.js';
import { runStatsSwitchFor, type RunStatsStatus } from '../live/stats-holds.js';
import { UsageError, type CommandContext } from './context.js';

export type TopSort = 'cpu' | 'events' | 'avg' | 'name';

const SORTS: readonly TopSort[] = ['cpu', 'events', 'avg', 'name'];
/** The stats-holder line needs an owner scan: not every refresh. */
const STATUS_REFRESH_MS = 10_000;
const OWNERS_WIDTH = 40;

export function parseTopInterval(value: string | boolean | undefined): number {
  if (value === undefined) return 1000;
  const seconds = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  const ms = Math.round(seconds * 1000);
  if (!(ms >= MIN_INTERVAL_MS && ms <= MAX_INTERVAL_MS)) {
    throw new UsageError(`--interval ${String(value)}: seconds between ${MIN_INTERVAL_MS / 1000} and ${MAX_INTERVAL_MS / 1000}`);
  }
  return ms;
}

export function parseTopSort(value: string | boolean | undefined): TopSort {
  if (value === undefined) return 'cpu';
  if (typeof value === 'string' && (SORTS as readonly string[]).includes(value)) return value as TopSort;
  throw new UsageError(`--sort ${String(value)}: one of ${SORTS.join(', ')}`);
}

export function sortPrograms(programs: readonly ProgramStats[], by: TopSort): ProgramStats[] {
  const key: Record<TopSort, (p: ProgramStats) => number> = {
    cpu: (p) => p.cpuPercent,
    events: (p) => p.eventsPerSec,
    avg: (p) => p.avgRunNs,
    name: () => 0,
  };
  return [...programs].sort((a, b) => {
    const order = by === 'name' ? a.name.localeCompare(b.name) : key[by](b) - key[by](a);
    return order !== 0 ? order : a.id - b.id;
  });
}

function ownersText(p: ProgramStats): string {
  const text = p.owners.map((o) => `${o.comm}(${o.pid})`).join(',');
  return text.length > OWNERS_WIDTH ? `${text.slice(0, OWNERS_WIDTH - 1)}…` : text;
}

function holdersText(status: RunStatsStatus | undefined): string {
  if (!status) return '';
  const others = status.holders.filter((h) => !h.self).map((h) => `${h.comm}(${h.pid})`);
  const parts = [others.length > 0 ? `also held by ${others.join(', ')}` : 'no other holders'];
  if (status.sysctl) parts.push('kernel.bpf_stats_enabled=1');
  return parts.join('; ');
}

export function renderTopTable(label: string, sample: ProgramSample, sort: TopSort, status?: RunStatsStatus, maxRows = Infinity): string {
  const t = sample.totals;
  const lines = [
    `bpfscope top — ${label} — ${sample.programs.length} programs, ${sample.onlineCpus} CPUs, every ${(sample.intervalMs / 1000).toFixed(2)} s, sorted by ${sort}`,
    `total ${t.eventsPerSec.toFixed(0)} events/s, ${t.cpuPercent.toFixed(3)}% CPU — ${t.statsCost.text}${status ? ` (${holdersText(status)})` : ''}`,
    '',
  ];
  const rows = sortPrograms(sample.programs, sort).map((p) => [
    String(p.id), p.type, p.name || '-', p.eventsPerSec.toFixed(0), p.avgRunNs.toFixed(0), p.cpuPercent.toFixed(3), ownersText(p),
  ]);
  const header = ['ID', 'TYPE', 'NAME', 'EVENTS/S', 'AVG NS', 'CPU %', 'OWNERS'];
  // Rows that fit under the header; when some do not, one line says how many.
  const room = Math.max(0, maxRows - lines.length - 1);
  const shown = rows.length > room ? rows.slice(0, Math.max(0, room - 1)) : rows;
  const widths = header.map((h, i) => Math.max(h.length, ...shown.map((r) => r[i]!.length)));
  const numeric = [true, false, false, true, true, true, false];
  const format = (cells: string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  lines.push(format(header), ...shown.map(format));
  if (shown.length < rows.length) lines.push(`… ${rows.length - shown.length} more`);
  return `${lines.join('\n')}\n`;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** What `top --json` prints. */
export interface TopSample {
  host: string;
  timeMs: number;
  intervalMs: number;
  onlineCpus: number;
  stats: RunStatsStatus & { cost: StatsCostEstimate };
  totals: Omit<HostTotals, 'statsCost'>;
  truncated: boolean;
  programs: ProgramStats[];
}

/** `top --json`: one sample of every program's run statistics, over `intervalMs`, sorted. */
export async function topSample(session: HostSession, intervalMs: number, sort: TopSort): Promise<TopSample> {
  const stats = runStatsSwitchFor(session.host);
  const lease = await stats.acquire();
  try {
    const sampler = new ProgramSampler(session.host, { intervalMs, historyMs: intervalMs });
    await sampler.sample();
    await sleep(intervalMs);
    const sample = (await sampler.sample())!;
    const status = await stats.status();
    const { statsCost, ...totals } = sample.totals;
    return {
      host: session.label,
      timeMs: sample.timeMs,
      intervalMs: sample.intervalMs,
      onlineCpus: sample.onlineCpus,
      stats: { ...status, cost: statsCost },
      totals,
      truncated: sample.truncated,
      programs: sortPrograms(sample.programs, sort),
    };
  } finally {
    await lease.release();
  }
}

async function topTable(ctx: CommandContext, session: HostSession, intervalMs: number, sort: TopSort): Promise<number> {
  const sampler = new ProgramSampler(session.host, { intervalMs, historyMs: intervalMs });
  const stats = runStatsSwitchFor(session.host);
  const tty = process.stdout.isTTY === true;
  let status: RunStatsStatus | undefined;
  let statusAtMs = -Infinity;
  let failure: Error | undefined;
  const finished = new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    sampler.onError((error) => {
      failure = error;
      resolve();
    });
  });
  sampler.onSample((sample) => {
    void (async () => {
      if (sample.timeMs - statusAtMs >= STATUS_REFRESH_MS) {
        statusAtMs = sample.timeMs;
        status = await stats.status().catch(() => status);
      }
      const table = renderTopTable(session.label, sample, sort, status, tty ? process.stdout.rows || 40 : Infinity);
      // Home and clear on a terminal; a plain stream of tables otherwise (pipes, logs).
      ctx.io.out(tty ? `\x1b[H\x1b[2J${table}` : `${table}\n`);
    })();
  });
  await sampler.start();
  if (!tty) ctx.io.out(`sampling every ${intervalMs / 1000} s…\n`);
  try {
    await finished;
  } finally {
    await sampler.stop();
  }
  if (failure) throw failure;
  return 0;
}

export async function topCommand(ctx: CommandContext): Promise<number> {
  if (ctx.args.length > 0) throw new UsageError('usage: bpfscope top [--interval S] [--sort cpu|events|avg|name] [--json]');
  const intervalMs = parseTopInterval(ctx.flags.interval);
  const sort = parseTopSort(ctx.flags.sort);
  const session = await ctx.session();
  if (!ctx.flags.json) return topTable(ctx, session, intervalMs, sort);
  ctx.io.out(`${JSON.stringify(await topSample(session, intervalMs, sort), null, 2)}\n`);
  return 0;
}
