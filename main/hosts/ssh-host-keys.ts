// Host key checking for SshHost, as OpenSSH's StrictHostKeyChecking=ask: a
// known key passes, a changed or revoked key is refused, an unknown key needs
// an explicit yes from the user, which is then recorded in known_hosts.
//
// Host certificates cannot be checked: ssh2 (1.17) refuses the
// *-cert-v01@openssh.com host key algorithms ("Unsupported algorithm"), so
// servers show it only their plain key, which a @cert-authority line does not
// vouch for. A host known only through such a line is refused with a message
// saying so, rather than asked about like a stranger: accepting its plain key
// on sight would replace the CA's word with a guess.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { HostError } from './host-error.js';
import { checkHostKey, fingerprint, keyTypeOf, knownHostsLine, knownHostsName, parseKnownHosts, type KnownHostEntry } from './known-hosts.js';

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
      if (verdict.certAuthorities.length > 0) throw certificatesUnsupported(host, port, key, verdict.certAuthorities[0]!, files[0]!);
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

/** ssh-keygen's short name of a key type, as in /etc/ssh/ssh_host_<name>_key.pub. */
function shortKeyType(keyType: string): string {
  return keyType.startsWith('ecdsa-') ? 'ecdsa' : keyType.replace(/^ssh-/, '');
}

function certificatesUnsupported(host: string, port: number, key: Buffer, authority: KnownHostEntry, file: string): HostError {
  const where = port === 22 ? host : `${host}:${port}`;
  const type = keyTypeOf(key);
  const ssh = port === 22 ? `ssh ${host}` : `ssh -p ${port} ${host}`;
  return new HostError({
    code: 'EHOSTKEY',
    message: `${where} is vouched for only by a @cert-authority line (known_hosts line ${authority.line}); bpfscope cannot check SSH host certificates (its SSH library, ssh2, does not support them) and the host offers its plain ${type} key ${fingerprint(key)}`,
    hint: `add the host's plain key to ${file}: take it over a connection OpenSSH has checked against the certificate (\`${ssh} cat /etc/ssh/ssh_host_${shortKeyType(type)}_key.pub\`) and write it as \`${knownHostsName(host, port)} ${type} AAAA…\``,
  });
}
