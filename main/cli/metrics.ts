// `bpfscope metrics [--listen ADDR:PORT] [--host H[,H…]] [--map-field MAP:FIELD]…`: the
// Prometheus/OpenMetrics endpoint until SIGINT/SIGTERM. Hosts are opened once and kept (SSH
// hosts reconnect in the background); run statistics stay on while it runs.
import { MetricsExporter } from '../metrics/exporter.js';
import { mergeMapFieldSpecs, parseMapFieldSpec, type MapFieldSpec } from '../metrics/map-fields.js';
import { DEFAULT_METRICS_ADDRESS, DEFAULT_METRICS_PORT, parseListenAddress, runMetricsServer, type ListenAddress } from '../metrics/metrics-http.js';
import { UsageError, type CommandContext } from './context.js';
import { keptHosts } from './kept-hosts.js';

const USAGE = 'usage: bpfscope metrics [--listen ADDR:PORT] [--host H[,H…]] [--map-field MAP:FIELD|MAP[KEY]:FIELD]…';
/** Hosts whose state is a file: nothing runs there, so there is nothing to count. */
const OFFLINE_PREFIXES = ['snapshot:', 'objfile:'];

function listenAddress(value: string | boolean | undefined): ListenAddress {
  if (value === undefined) return { address: DEFAULT_METRICS_ADDRESS, port: DEFAULT_METRICS_PORT };
  try {
    return parseListenAddress(typeof value === 'string' ? value : '');
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The --map-field values, parsed and merged; a bad one is a usage error. */
function mapFieldSpecs(values: readonly string[] | undefined): MapFieldSpec[] {
  try {
    return mergeMapFieldSpecs((values ?? []).map(parseMapFieldSpec));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

export async function metricsCommand(ctx: CommandContext): Promise<number> {
  if (ctx.args.length > 0) throw new UsageError(USAGE);
  const listen = listenAddress(ctx.flags.listen);
  const mapFields = mapFieldSpecs(ctx.lists?.['map-field']);
  const hosts = ctx.hosts ?? ['local'];
  const offline = hosts.find((h) => OFFLINE_PREFIXES.some((p) => h.startsWith(p)));
  if (offline) throw new UsageError(`metrics: ${offline} is a file, not a running host: it has no counters to export`);
  const log = (line: string): void => ctx.io.err(`${line}\n`);
  const registry = keptHosts(hosts, ctx.flags, { ask: true });
  const exporter = new MetricsExporter({ hosts: () => hosts, session: (host) => registry.session(host) }, { mapFields, log });
  try {
    // One reading before listening: every host is checked, stats are turned on, and a
    // --map-field that names a missing field is refused now rather than logged later.
    const first = await exporter.read();
    if (first.every((r) => !r.up)) return 1;
    const problems = first.flatMap((r) => r.problems);
    if (problems.length > 0) return 2;
    const server = await runMetricsServer(listen, exporter, log);
    await untilSignal();
    await server.close();
    log('bpfscope: stopped');
    return 0;
  } finally {
    await exporter.close();
    await registry.close();
  }
}
