// The HTTP side of the metrics endpoint: GET /metrics, in OpenMetrics when the scraper
// asks for it (Prometheus does) and in Prometheus text otherwise. No token: scrapers send
// none, so the endpoint is protected by where it listens (loopback by default). On a
// loopback address the Host header must name an IP or localhost, so a web page cannot
// reach it through a rebound DNS name.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { isIP } from 'node:net';
import { hostAllowed } from '../server/http-guard.js';
import { isLoopback } from '../server/serve.js';
import { sendText } from '../server/static-files.js';
import { negotiateFormat } from './exposition.js';
import { DEFAULT_HOST_TIMEOUT_MS, type MetricsExporter } from './exporter.js';

export const METRICS_PATH = '/metrics';
export const DEFAULT_METRICS_PORT = 9435;
export const DEFAULT_METRICS_ADDRESS = '127.0.0.1';
/** Kept from the scraper's own timeout, to answer before it gives up. */
const TIMEOUT_MARGIN_MS = 500;
const MIN_HOST_TIMEOUT_MS = 500;

export interface ListenAddress {
  /** undefined: every interface. */
  address: string | undefined;
  port: number;
}

/** `ADDR:PORT`, `[IPv6]:PORT` or `:PORT` (every interface); throws an Error saying what is wrong. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`--listen '${text}': expected ADDR:PORT, [IPv6]:PORT or :PORT (e.g. ${DEFAULT_METRICS_ADDRESS}:${DEFAULT_METRICS_PORT})`);
  const address = m[1] ?? m[2];
  if (m[1] !== undefined && isIP(m[1]) !== 6) throw new Error(`--listen '${text}': '${m[1]}' is not an IPv6 address`);
  return { address: address === '' ? undefined : address, port };
}

export interface RunningMetricsServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** How long this scrape may spend per host: the scraper's timeout (Prometheus sends it) less a margin. */
function hostTimeoutMs(request: IncomingMessage): number {
  const header = Number(request.headers['x-prometheus-scrape-timeout-seconds']);
  if (!Number.isFinite(header) || header <= 0) return DEFAULT_HOST_TIMEOUT_MS;
  return Math.max(MIN_HOST_TIMEOUT_MS, header * 1000 - TIMEOUT_MARGIN_MS);
}

export async function runMetricsServer(listen: ListenAddress, exporter: MetricsExporter, log: (line: string) => void): Promise<RunningMetricsServer> {
  let port = listen.port;
  const checkHost = listen.address !== undefined && isLoopback(listen.address);
  const onRequest = (request: IncomingMessage, response: ServerResponse): void => {
    if (checkHost && !hostAllowed(request.headers.host, port)) return sendText(response, 403, 'Host header does not name this server');
    if (request.method !== 'GET' && request.method !== 'HEAD') return sendText(response, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    const { pathname } = new URL(request.url ?? '/', 'http://localhost');
    if (pathname === '/') return sendText(response, 200, `bpfscope metrics: ${METRICS_PATH}`);
    if (pathname !== METRICS_PATH) return sendText(response, 404, `not found; metrics are at ${METRICS_PATH}`);
    exporter.scrape(negotiateFormat(request.headers.accept), hostTimeoutMs(request)).then(
      ({ contentType, body }) => {
        response.writeHead(200, { 'Content-Type': contentType, 'Cache-Control': 'no-store' });
        response.end(request.method === 'HEAD' ? undefined : body);
      },
      (error: unknown) => sendText(response, 500, `scrape failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  const server = createServer(onRequest);
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = server.address();
  if (bound && typeof bound === 'object') port = bound.port;
  const shown = listen.address ?? '0.0.0.0';
  const url = `http://${isIP(shown) === 6 ? `[${shown}]` : shown}:${port}${METRICS_PATH}`;
  if (!checkHost) log(`bpfscope: WARNING: metrics on ${listen.address ?? 'every interface'}, not loopback: anyone who can reach this port can read the names and counters of this host's BPF programs and maps`);
  log(`bpfscope: metrics at ${url}`);
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
