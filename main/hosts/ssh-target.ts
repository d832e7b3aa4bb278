// Host specs (`user@host[:port]`, `[v6addr]:port`, or an ~/.ssh/config alias)
// resolved into where and how to connect, through the `ssh-config` parser.
import { homedir, userInfo } from 'node:os';
import { join } from 'node:path';
import SSHConfig from 'ssh-config';
import { HostError } from './host-error.js';

export interface HostSpec {
  user?: string;
  host: string;
  port?: number;
}

export interface SshTarget {
  /** What the user typed (the alias), for labels. */
  spec: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  identitiesOnly: boolean;
  /** Hops to go through first, outermost first (ProxyJump). */
  jumps: SshTarget[];
}

/** ProxyJump chains longer than this are refused: resolution must end. */
const MAX_JUMPS = 8;

export function parseHostSpec(spec: string): HostSpec {
  const bad = () => new HostError({ code: 'EINVAL', message: `bad host spec ${JSON.stringify(spec)}`, hint: 'use user@host[:port], [v6addr]:port or an ~/.ssh/config alias' });
  const text = spec.replace(/^ssh:\/\//, '');
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  if (user === '' || /[\s/]/.test(rest) || rest === '') throw bad();
  let host = rest;
  let port: number | undefined;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(rest);
  if (bracket) {
    host = bracket[1]!;
    if (bracket[2]) port = Number(bracket[2]);
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    const [h, p] = rest.split(':');
    if (!h || !/^\d+$/.test(p!)) throw bad();
    host = h;
    port = Number(p);
  }
  if (port !== undefined && (port < 1 || port > 65535)) throw bad();
  return user === undefined ? (port === undefined ? { host } : { host, port }) : port === undefined ? { user, host } : { user, host, port };
}

/** `~` and `~/…` as ssh reads them in the config. */
export function expandHome(path: string, home: string): string {
  return path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
}

type Computed = Record<string, string | string[] | undefined>;

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export interface ResolveOptions {
  /** ~/.ssh/config text; empty when there is none. */
  configText?: string;
  home?: string;
  defaultUser?: string;
}

/** Resolves a spec like `ssh` does: config values fill what the spec left out. */
export function resolveTarget(spec: string, options: ResolveOptions = {}, depth = 0): SshTarget {
  if (depth > MAX_JUMPS) throw new HostError({ code: 'ELOOP', message: `ProxyJump chain for ${spec} is longer than ${MAX_JUMPS}` });
  const home = options.home ?? homedir();
  const parsed = parseHostSpec(spec);
  const config = SSHConfig.parse(options.configText ?? '');
  const computed = config.compute(parsed.host) as Computed;
  const defaultFiles = ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((f) => join(home, '.ssh', f));
  const configured = computed.IdentityFile;
  const identityFiles = (configured === undefined ? defaultFiles : Array.isArray(configured) ? configured : [configured]).map((f) => expandHome(f, home));
  const portText = parsed.port ?? first(computed.Port);
  const port = portText === undefined ? 22 : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new HostError({ code: 'EINVAL', message: `bad Port for ${spec}: ${portText}` });
  const proxyJump = first(computed.ProxyJump);
  const jumps =
    proxyJump && proxyJump.toLowerCase() !== 'none'
      ? proxyJump.split(',').map((hop) => resolveTarget(hop.trim(), options, depth + 1))
      : [];
  return {
    spec,
    host: first(computed.HostName)?.replace(/%h/g, parsed.host) ?? parsed.host,
    port,
    user: parsed.user ?? first(computed.User) ?? options.defaultUser ?? userInfo().username,
    identityFiles,
    identitiesOnly: first(computed.IdentitiesOnly)?.toLowerCase() === 'yes',
    jumps: jumps.flatMap((j) => [...j.jumps, { ...j, jumps: [] }]),
  };
}
