// `bpfscope serve [--port N] [--bind ADDR] [--snapshot FILE] [--object FILE.o]
// [--metrics-listen ADDR:PORT]`: runs until SIGINT/SIGTERM, then closes every connection and
// host. The CLI maps its verb here.
import { resolve } from 'node:path';
import { toHostError } from '../hosts/host-error.js';
import type { Host } from '../hosts/host.js';
import { ObjectFileHost } from '../hosts/objfile-host.js';
import { SnapshotHost } from '../hosts/snapshot-host.js';
import { MetricsExporter } from '../metrics/exporter.js';
import { parseListenAddress, runMetricsServer, type ListenAddress } from '../metrics/metrics-http.js';
import { appVersion } from './app-version.js';
import { createHostService, type ClosableService } from './host-service.js';
import { DEFAULT_PORT, runServe } from './serve.js';

export interface ServeFlags {
  port?: string | boolean;
  bind?: string | boolean;
  /** A snapshot file opened as a read-only host beside the local one. */
  snapshot?: string | boolean;
  /** A compiled BPF object file opened as a read-only host (as if loaded) beside the local one. */
  object?: string | boolean;
  /**
   * Also serve /metrics (bpfscope metrics) for the live hosts the dashboard has open, on a
   * listener of its own: scrapers hold no token, so it is guarded by its bind address.
   */
  'metrics-listen'?: string | boolean;
}

export interface ServeIo {
  out(text: string): void;
  err(text: string): void;
}

/** The metrics endpoint over the dashboard's hosts: the live ones (files have no counters). */
async function serveMetrics(services: ClosableService, listen: ListenAddress, log: (line: string) => void): Promise<() => Promise<void>> {
  const exporter = new MetricsExporter(
    {
      hosts: async () => (await services.listHosts({}, new AbortController().signal)).filter((h) => !h.snapshot && !h.objectFile).map((h) => h.id),
      session: (host) => services.session(host),
    },
    { log },
  );
  const server = await runMetricsServer(listen, exporter, log);
  return async () => {
    await server.close();
    await exporter.close();
  };
}

/** Resolves with the exit code once the server has shut down. Throws on bad flags (as a message). */
export async function serveCommand(flags: ServeFlags, io: ServeIo): Promise<number> {
  const port = flags.port === undefined ? DEFAULT_PORT : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`bpfscope: --port ${String(flags.port)}: not a port number\n`);
    return 2;
  }
  if (flags.bind !== undefined && (typeof flags.bind !== 'string' || flags.bind === '')) {
    io.err('bpfscope: --bind needs an address\n');
    return 2;
  }
  let metricsListen: ListenAddress | undefined;
  if (flags['metrics-listen'] !== undefined) {
    try {
      metricsListen = parseListenAddress(typeof flags['metrics-listen'] === 'string' ? flags['metrics-listen'] : '');
    } catch (error) {
      io.err(`bpfscope: ${(error as Error).message.replace('--listen', '--metrics-listen')}\n`);
      return 2;
    }
  }
  // Each offline file is opened once before serving, so a damaged or missing one is refused with the reason.
  const files = [
    { flag: '--snapshot', value: flags.snapshot, prefix: 'snapshot:', open: (path: string): Promise<Host> => SnapshotHost.open(path) },
    { flag: '--object', value: flags.object, prefix: 'objfile:', open: (path: string): Promise<Host> => ObjectFileHost.open(path) },
  ];
  const specs: string[] = [];
  for (const file of files) {
    if (file.value === undefined) continue;
    if (typeof file.value !== 'string' || file.value === '') {
      io.err(`bpfscope: ${file.flag} needs a file\n`);
      return 2;
    }
    const path = resolve(file.value);
    try {
      await (await file.open(path)).close();
    } catch (error) {
      io.err(`bpfscope: ${toHostError(error).message}\n`);
      return 1;
    }
    specs.push(`${file.prefix}${path}`);
  }
  const services = createHostService({ versions: { app: appVersion() }, keepHistory: true });
  for (const spec of specs) await services.addHost({ spec }, new AbortController().signal);
  const server = await runServe({
    port,
    ...(typeof flags.bind === 'string' ? { host: flags.bind } : {}),
    services,
    // The dashboard opens on the local host, and its first views need the program list.
    onPage: () => services.warmProgramList('local'),
    handleSignals: true,
    log: (line) => io.out(`${line}\n`),
  });
  let closeMetrics: (() => Promise<void>) | undefined;
  if (metricsListen) {
    try {
      closeMetrics = await serveMetrics(services, metricsListen, (line) => io.out(`${line}\n`));
    } catch (error) {
      io.err(`bpfscope: metrics: ${toHostError(error).message}\n`);
      await server.close();
      return 1;
    }
  }
  await server.closed;
  await closeMetrics?.();
  io.out('bpfscope: stopped\n');
  return 0;
}
