// Opens an authenticated ssh2 connection to a target, through its ProxyJump
// hops, verifying every hop's host key. Auth: ssh-agent, then key files; an
// encrypted key's passphrase is asked for when reached and never stored.
import { readFile } from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import ssh2, { type AnyAuthMethod, type AuthHandlerMiddleware, type ConnectConfig } from 'ssh2';

// ssh2 is CommonJS: Node's ESM loader gives it a default export only.
const { Client, utils } = ssh2;
type Client = ssh2.Client;
import { HostError, toHostError } from './host-error.js';
import { verifyHostKey, type HostKeyPolicy } from './ssh-host-keys.js';
import type { SshTarget } from './ssh-target.js';

export interface SshConnectOptions extends HostKeyPolicy {
  /** ssh-agent socket; default $SSH_AUTH_SOCK. null: do not use an agent. */
  agentSocket?: string | null;
  /** Asked once per encrypted key file; null skips that key. */
  askPassphrase?: (file: string) => Promise<string | null>;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
}

type AuthStep = { type: 'agent'; agent: string } | { type: 'file'; file: string };

function authSteps(target: SshTarget, agentSocket: string | null): AuthStep[] {
  const steps: AuthStep[] = [];
  // IdentitiesOnly: only the configured files, not whatever the agent holds.
  if (agentSocket && !target.identitiesOnly) steps.push({ type: 'agent', agent: agentSocket });
  for (const file of target.identityFiles) steps.push({ type: 'file', file });
  return steps;
}

async function loadKey(file: string, askPassphrase: SshConnectOptions['askPassphrase']): Promise<{ key: Buffer; passphrase?: string } | null> {
  let key: Buffer;
  try {
    key = await readFile(file);
  } catch {
    return null;
  }
  const parsed = utils.parseKey(key);
  if (!(parsed instanceof Error)) return { key };
  if (!/encrypted|passphrase/i.test(parsed.message) || !askPassphrase) return null;
  const passphrase = await askPassphrase(file);
  if (passphrase === null) return null;
  return utils.parseKey(key, passphrase) instanceof Error ? null : { key, passphrase };
}

function authHandler(target: SshTarget, options: SshConnectOptions): AuthHandlerMiddleware {
  const steps = authSteps(target, options.agentSocket === undefined ? (process.env.SSH_AUTH_SOCK ?? null) : options.agentSocket);
  const next = async (): Promise<AnyAuthMethod | false> => {
    for (let step = steps.shift(); step; step = steps.shift()) {
      if (step.type === 'agent') return { type: 'agent', username: target.user, agent: step.agent };
      const loaded = await loadKey(step.file, options.askPassphrase);
      if (loaded) return { type: 'publickey', username: target.user, ...loaded };
    }
    return false;
  };
  return (_methodsLeft, _partial, callback) => {
    // ssh2 takes false for "no more methods"; its typings omit it.
    const done = callback as (method: AnyAuthMethod | false) => void;
    next().then(done, () => done(false));
  };
}

function connectError(error: Error & { level?: string }, target: SshTarget): HostError {
  const where = `${target.user}@${target.host}:${target.port}`;
  if (error.level === 'client-authentication') {
    return new HostError({ code: 'EAUTH', message: `${where}: all authentication methods failed`, hint: 'load a key into ssh-agent or set IdentityFile for this host in ~/.ssh/config' });
  }
  if (error.level === 'client-timeout') return new HostError({ code: 'ETIMEDOUT', message: `${where}: SSH handshake timed out` });
  const wrapped = toHostError(error);
  return new HostError({ ...wrapped.toData(), message: `${where}: ${wrapped.message}` });
}

function connectHop(target: SshTarget, options: SshConnectOptions, sock?: Duplex): Promise<Client> {
  return new Promise<Client>((resolve, reject) => {
    const client = new Client();
    let keyError: HostError | undefined;
    let settled = false;
    const config: ConnectConfig = {
      host: target.host,
      port: target.port,
      username: target.user,
      readyTimeout: options.readyTimeoutMs ?? 15_000,
      keepaliveInterval: options.keepaliveIntervalMs ?? 5_000,
      keepaliveCountMax: options.keepaliveCountMax ?? 3,
      authHandler: authHandler(target, options),
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        // The answer may come long after the handshake gave up (a user deciding whether to
        // accept an unknown key past readyTimeout): ssh2 then throws from verify on its torn-down
        // transport, which must not become an uncaught exception.
        const answer = (ok: boolean) => {
          if (settled) return;
          try {
            verify(ok);
          } catch (e) {
            client.emit('error', e instanceof Error ? e : new Error(String(e)));
          }
        };
        verifyHostKey(options, target.host, target.port, key).then(
          () => answer(true),
          (e: unknown) => {
            keyError = toHostError(e);
            answer(false);
          },
        );
      },
    };
    if (sock) config.sock = sock;
    // Stays attached for the client's whole life: an error after 'ready' (a reset while the
    // agent is being set up, or after a failed connect) must never be an uncaught exception;
    // owners learn of drops from their own listeners and from 'close'.
    client.on('error', (e: Error) => {
      if (settled) return;
      settled = true;
      client.end();
      reject(keyError ?? connectError(e, target));
    });
    client.once('ready', () => {
      settled = true;
      resolve(client);
    });
    client.connect(config);
  });
}

/** Connects hop by hop; returns every client, the target's last. */
export async function connectSsh(target: SshTarget, options: SshConnectOptions): Promise<Client[]> {
  const chain: Client[] = [];
  try {
    for (const hop of [...target.jumps, { ...target, jumps: [] }]) {
      const prev = chain.at(-1);
      const sock = prev
        ? await new Promise<Duplex>((resolve, reject) =>
            prev.forwardOut('127.0.0.1', 0, hop.host, hop.port, (e, stream) => (e ? reject(connectError(e, hop)) : resolve(stream))),
          )
        : undefined;
      chain.push(await connectHop(hop, options, sock));
    }
    return chain;
  } catch (e) {
    for (const c of chain.reverse()) c.end();
    throw e;
  }
}
