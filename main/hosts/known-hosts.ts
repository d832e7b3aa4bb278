// known_hosts, as OpenSSH reads it (sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT"):
//
//   [@revoked|@cert-authority] patterns keytype base64-key [comment]
//
// patterns: comma-separated, `*` and `?` wildcards, `!negation`, `[host]:port`
// for non-default ports; or one hashed entry `|1|base64(salt)|base64(hmac)`
// where hmac = HMAC-SHA1(salt, "host" or "[host]:port"). No maintained npm
// parser exists; this is ours.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export type KnownHostMarker = 'revoked' | 'cert-authority' | null;

export interface KnownHostEntry {
  /** 1-based line in its file, for messages. */
  line: number;
  marker: KnownHostMarker;
  /** Plain patterns, or null for a hashed entry. */
  patterns: string[] | null;
  hashed: { salt: Buffer; hash: Buffer } | null;
  keyType: string;
  key: Buffer;
}

/** Lines we read from one file: enough for any real known_hosts. */
const MAX_LINES = 1_000_000;

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  const lines = text.split('\n', MAX_LINES);
  lines.forEach((raw, i) => {
    const entry = parseLine(raw.trim(), i + 1);
    if (entry) entries.push(entry);
  });
  return entries;
}

function parseLine(text: string, line: number): KnownHostEntry | null {
  if (!text || text.startsWith('#')) return null;
  const fields = text.split(/\s+/);
  let marker: KnownHostMarker = null;
  if (fields[0]!.startsWith('@')) {
    const m = fields.shift()!;
    if (m === '@revoked') marker = 'revoked';
    else if (m === '@cert-authority') marker = 'cert-authority';
    else return null;
  }
  const [hosts, keyType, keyText] = fields;
  if (!hosts || !keyType || !keyText) return null;
  const key = Buffer.from(keyText, 'base64');
  if (key.length === 0 || keyTypeOf(key) !== keyType) return null;
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return null;
    return { line, marker, patterns: null, hashed: { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') }, keyType, key };
  }
  return { line, marker, patterns: hosts.split(','), hashed: null, keyType, key };
}

/** The name OpenSSH looks up: `host` on port 22, `[host]:port` elsewhere. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** OpenSSH's match_pattern: `*` any run, `?` one character, case-insensitive. */
export function wildcardMatch(pattern: string, name: string): boolean {
  const p = pattern.toLowerCase();
  const s = name.toLowerCase();
  // Iterative glob with one backtrack point: linear-ish, no recursion.
  let pi = 0;
  let si = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === s[si])) {
      pi++;
      si++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      mark = si;
    } else if (star >= 0) {
      pi = star + 1;
      si = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

export function entryMatches(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = knownHostsName(host, port);
  if (entry.hashed) {
    const mac = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return mac.length === entry.hashed.hash.length && timingSafeEqual(mac, entry.hashed.hash);
  }
  let matched = false;
  for (const pattern of entry.patterns ?? []) {
    const negated = pattern.startsWith('!');
    if (wildcardMatch(negated ? pattern.slice(1) : pattern, name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

export type HostKeyVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  /**
   * otherTypes: key types known for this host that the server did not offer.
   * certAuthorities: @cert-authority lines for this host; they vouch only for
   * host certificates, which our SSH library cannot negotiate (see ssh-host-keys.ts).
   */
  | { status: 'unknown'; otherTypes: string[]; certAuthorities: KnownHostEntry[] }
  | { status: 'changed'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry };

/** Decides like OpenSSH: revoked wins, then a matching key, then same-type mismatch. */
export function checkHostKey(entries: readonly KnownHostEntry[], host: string, port: number, key: Buffer): HostKeyVerdict {
  const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  // @cert-authority lines vouch for host certificates, not plain keys.
  const forHost = entries.filter((e) => e.marker === null && entryMatches(e, host, port));
  const known = forHost.find((e) => e.key.equals(key));
  if (known) return { status: 'known', entry: known };
  const type = keyTypeOf(key);
  const changed = forHost.find((e) => e.keyType === type);
  if (changed) return { status: 'changed', entry: changed };
  const certAuthorities = entries.filter((e) => e.marker === 'cert-authority' && entryMatches(e, host, port));
  return { status: 'unknown', otherTypes: [...new Set(forHost.map((e) => e.keyType))], certAuthorities };
}

/** The first string of an SSH public key blob: its type (`ssh-ed25519`, …). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return '';
  const n = blob.readUInt32BE(0);
  return n > 0 && n <= 64 && 4 + n <= blob.length ? blob.subarray(4, 4 + n).toString('latin1') : '';
}

/** `SHA256:…` as ssh-keygen -l prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** A line to record an accepted key, hashed like HashKnownHosts=yes when asked. */
export function knownHostsLine(host: string, port: number, key: Buffer, hash: boolean): string {
  const name = knownHostsName(host, port);
  let field = name;
  if (hash) {
    const salt = randomBytes(20);
    field = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${field} ${keyTypeOf(key)} ${key.toString('base64')}`;
}
