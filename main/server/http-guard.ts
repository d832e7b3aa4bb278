// Who may talk to `bpfscope serve`: the holder of the printed token, through a
// Host header that names this server (no DNS rebinding), from this server's own
// pages (no cross-site requests or WebSockets).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

export const TOKEN_PARAM = 'token';

export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Cookies ignore ports, so each port gets its own cookie name. */
export function cookieName(port: number): string {
  return `bpfscope_token_${port}`;
}

export function tokenCookie(port: number, token: string): string {
  return `${cookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`;
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export type Verdict = { ok: true; fromQuery: boolean } | { ok: false; status: 401 | 403; reason: string };

/** `Host` must be an IP literal or `localhost`, with our port: a rebinding attacker's name is neither. */
export function hostAllowed(hostHeader: string | undefined, port: number): boolean {
  if (!hostHeader) return false;
  let url: URL;
  try {
    url = new URL(`http://${hostHeader}`);
  } catch {
    return false;
  }
  if (url.username || url.password || url.pathname !== '/' || Number(url.port || 80) !== port) return false;
  const name = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return name === 'localhost' || isIP(name) !== 0;
}

/** A browser names the page's origin; it must be this very server. Non-browser clients send none. */
export function originAllowed(origin: string | undefined, hostHeader: string | undefined): boolean {
  if (origin === undefined) return true;
  return origin === `http://${hostHeader}`;
}

export function checkRequest(request: IncomingMessage, port: number, token: string): Verdict {
  const { headers } = request;
  if (!hostAllowed(headers.host, port)) return { ok: false, status: 403, reason: 'Host header does not name this server' };
  const origin = typeof headers.origin === 'string' ? headers.origin : undefined;
  if (!originAllowed(origin, headers.host)) return { ok: false, status: 403, reason: 'cross-origin request' };
  if (headers['sec-fetch-site'] === 'cross-site') return { ok: false, status: 403, reason: 'cross-site request' };
  const url = new URL(request.url ?? '/', 'http://localhost');
  const fromQuery = url.searchParams.get(TOKEN_PARAM);
  const fromCookie = cookieValue(headers.cookie, cookieName(port));
  const offered = fromQuery ?? fromCookie;
  if (offered === undefined) return { ok: false, status: 401, reason: 'token required: open the URL bpfscope serve printed' };
  if (!sameSecret(offered, token)) return { ok: false, status: 403, reason: 'wrong token' };
  return { ok: true, fromQuery: fromQuery !== null };
}
