// Host key checking for SshHost, as OpenSSH's StrictHostKeyChecking=ask: a
// known key passes, a changed or revoked key is refused, an unknown key needs
// an explicit yes from the user, which is then recorded in known_hosts.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { HostError } from './host-error.js';
import { checkHostKey, fingerprint, keyTypeOf, knownHostsLine, parseKnownHosts, type KnownHostEntry } from './known-hosts.js';

export interface UnknownHostKey {
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  /** Key types already known for this host (the server offered another). */
  otherTypes: string[];
}

export interface HostKeyPolicy {
  /** Files read, in order; the first is where accepted keys are recorded. */
  knownHostsFiles?: string[];
  /** Asked for an unknown key; true accepts and records it. Absent: refuse. */
  onUnknownHostKey?: (key: UnknownHostKey) => Promise<boolean>;
  /** Record accepted keys hashed (HashKnownHosts yes). */
  hashKnownHosts?: boolean;
}

export function defaultKnownHostsFiles(home = homedir()): string[] {
  return [join(home, '.ssh', 'known_hosts'), '/etc/ssh/ssh_known_hosts'];
}

async function readEntries(files: string[]): Promise<KnownHostEntry[]> {
  const all: KnownHostEntry[] = [];
  for (const file of files) {
    try {
      all.push(...parseKnownHosts(await readFile(file, 'utf8')));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return all;
}

/**
 * Checks the server's key; resolves when it may be used and rejects with a
 * HostError (EHOSTKEY) saying why not.
 */
export async function verifyHostKey(policy: HostKeyPolicy, host: string, port: number, key: Buffer): Promise<void> {
  const files = policy.knownHostsFiles ?? defaultKnownHostsFiles();
  const verdict = checkHostKey(await readEntries(files), host, port, key);
  const fp = fingerprint(key);
  const where = port === 22 ? host : `${host}:${port}`;
  switch (verdict.status) {
    case 'known':
      return;
    case 'revoked':
      throw new HostError({ code: 'EHOSTKEY', message: `host key for ${where} is marked @revoked (${fp})`, hint: 'the key was revoked on purpose: do not connect' });
    case 'changed':
      throw new HostError({
        code: 'EHOSTKEY',
        message: `REMOTE HOST IDENTIFICATION HAS CHANGED for ${where}: it offers ${keyTypeOf(key)} ${fp}, known_hosts line ${verdict.entry.line} has another key`,
        hint: 'someone could be intercepting the connection, or the host was reinstalled; if you know why, remove the old key with `ssh-keygen -R`',
      });
    case 'unknown': {
      const question: UnknownHostKey = { host, port, keyType: keyTypeOf(key), fingerprint: fp, otherTypes: verdict.otherTypes };
      const accepted = policy.onUnknownHostKey ? await policy.onUnknownHostKey(question) : false;
      if (!accepted) {
        throw new HostError({
          code: 'EHOSTKEY',
          message: `host key for ${where} is not known (${question.keyType} ${fp})`,
          hint: 'accept it when asked, or check it and add it to ~/.ssh/known_hosts (ssh-keyscan)',
        });
      }
      const file = files[0]!;
      await mkdir(dirname(file), { recursive: true, mode: 0o700 });
      await appendFile(file, `${knownHostsLine(host, port, key, policy.hashKnownHosts ?? false)}\n`, { mode: 0o600 });
    }
  }
}
