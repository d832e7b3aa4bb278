// The metrics of one or many hosts, read when scraped. Each host is read by its own
// HostReader, with a time limit: a slow or unreachable host is exported as down
// (bpfscope_host_up 0) without holding up the others, and its unfinished read is joined by
// the next scrape rather than started again. Scrapes that arrive together share one read.
// Run statistics are switched on (a lease on the host's BPF_ENABLE_STATS fd, the one the
// live views share) from a host's first scrape until the exporter closes.
import { toHostError } from '../hosts/host-error.js';
import type { HostSession } from '../hosts/host-session.js';
import { runStatsSwitchFor, type RunStatsLease } from '../live/stats-holds.js';
import { CONTENT_TYPES, renderMetrics, type ExpositionFormat } from './exposition.js';
import { HostReader, type HostReaderOptions, type HostReading } from './host-reading.js';

/** Where the hosts come from: the CLI's --host list, or the hosts `serve` has open. */
export interface MetricsHostSource {
  /** The hosts to export now, by label. */
  hosts(): readonly string[] | Promise<readonly string[]>;
  session(host: string): Promise<HostSession>;
}

export interface MetricsExporterOptions extends HostReaderOptions {
  log?: (line: string) => void;
}

export interface Scrape {
  contentType: string;
  body: string;
}

/** Per-host time limit when the scraper does not say its own. */
export const DEFAULT_HOST_TIMEOUT_MS = 8_000;
const SYSCTL_PATH = '/proc/sys/kernel/bpf_stats_enabled';

interface HostEntry {
  session?: HostSession;
  reader?: HostReader;
  lease?: RunStatsLease;
  /** The host refused BPF_ENABLE_STATS: not asked again for this session. */
  statsRefused?: boolean;
  /** Why the last scrape found the host down (logged when it changes). */
  downBecause?: string;
  /** A read not finished when its scrape gave up on it. */
  reading?: Promise<HostReading>;
}

export class MetricsExporter {
  private readonly entries = new Map<string, HostEntry>();
  private shared: Promise<HostReading[]> | undefined;
  private closed = false;
  private readonly log: (line: string) => void;

  constructor(
    private readonly source: MetricsHostSource,
    private readonly options: MetricsExporterOptions = {},
  ) {
    this.log = options.log ?? (() => {});
  }

  /** Every host's reading; concurrent callers share one. */
  read(hostTimeoutMs = DEFAULT_HOST_TIMEOUT_MS): Promise<HostReading[]> {
    this.shared ??= this.readAll(hostTimeoutMs).finally(() => (this.shared = undefined));
    return this.shared;
  }

  async scrape(format: ExpositionFormat, hostTimeoutMs?: number): Promise<Scrape> {
    return { contentType: CONTENT_TYPES[format], body: await renderMetrics(await this.read(hostTimeoutMs), format) };
  }

  /** Releases every stats lease; the sessions belong to the source. */
  async close(): Promise<void> {
    this.closed = true;
    const entries = [...this.entries.values()];
    this.entries.clear();
    // A host closed before the exporter has dropped its stats fd already.
    await Promise.all(entries.map((e) => e.lease?.release().catch(() => {})));
  }

  private async readAll(hostTimeoutMs: number): Promise<HostReading[]> {
    const hosts = await this.source.hosts();
    for (const [host, entry] of this.entries) {
      if (hosts.includes(host)) continue;
      this.entries.delete(host);
      await entry.lease?.release().catch(() => {});
    }
    return Promise.all(hosts.map((host) => this.readHost(host, hostTimeoutMs)));
  }

  private async readHost(host: string, timeoutMs: number): Promise<HostReading> {
    let entry = this.entries.get(host);
    if (!entry) {
      entry = {};
      this.entries.set(host, entry);
    }
    const started = performance.now();
    const current = entry;
    current.reading ??= this.readSession(host, current).finally(() => (current.reading = undefined));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<HostReading>((resolve) => {
      timer = setTimeout(() => resolve(down(host, `no answer within ${(timeoutMs / 1000).toFixed(1)} s`, started)), timeoutMs);
    });
    try {
      const reading = await Promise.race([current.reading.catch((error: unknown) => down(host, describe(error), started)), timeout]);
      if (reading.error !== current.downBecause) {
        this.log(reading.error === undefined ? `bpfscope: ${host}: up again` : `bpfscope: ${host}: down: ${reading.error}`);
        current.downBecause = reading.error;
      }
      return reading;
    } finally {
      clearTimeout(timer);
    }
  }

  private async readSession(host: string, entry: HostEntry): Promise<HostReading> {
    const session = await this.source.session(host);
    if (entry.session !== session) {
      // A new session (first scrape, or the host was reopened): a new reader and lease.
      await entry.lease?.release();
      entry.lease = undefined;
      entry.statsRefused = false;
      entry.session = session;
      entry.reader = new HostReader(session, this.options);
    }
    if (!entry.lease && !entry.statsRefused && !this.closed) {
      entry.lease = await runStatsSwitchFor(session.host).acquire().catch((error: unknown) => {
        entry.statsRefused = true;
        this.log(`bpfscope: ${host}: run statistics stay off: ${toHostError(error).message}`);
        return undefined;
      });
      // Closed while the fd was being opened: nobody will release it later.
      if (this.closed) {
        await entry.lease?.release();
        entry.lease = undefined;
      }
    }
    const statsEnabled = runStatsSwitchFor(session.host).heldByUs || (await sysctlOn(session));
    const reading = await entry.reader!.read(host, statsEnabled);
    for (const line of [...reading.problems, ...reading.notes]) this.log(`bpfscope: ${host}: ${line}`);
    return reading;
  }
}

function describe(error: unknown): string {
  const e = toHostError(error);
  return e.hint ? `${e.message} (${e.hint})` : e.message;
}

async function sysctlOn(session: HostSession): Promise<boolean> {
  try {
    return new TextDecoder().decode(await session.host.readFile(SYSCTL_PATH, 16)).trim() !== '0';
  } catch {
    return false;
  }
}

function down(host: string, error: string, started: number): HostReading {
  return { host, up: false, error, readSeconds: (performance.now() - started) / 1000, programs: [], maps: [], fields: [], problems: [], notes: [] };
}
