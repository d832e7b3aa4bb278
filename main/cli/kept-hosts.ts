// The hosts of a long-running command (metrics, mcp): each --host opened once, lazily, and
// kept for the life of the command; SSH hosts reconnect in the background, and a host that
// failed to open is tried again when next asked for.
import { HostSession } from '../hosts/host-session.js';
import { openHost } from '../hosts/open-host.js';
import { HostRegistry } from '../server/host-registry.js';
import type { CommandContext } from './context.js';

export interface KeptHostOptions {
  /**
   * Whether questions (an unknown host key, a key passphrase) may be asked on the terminal.
   * Not for mcp, whose stdin is the protocol: an unknown key is then refused unless
   * --accept-new-host-key, and keys need an agent or no passphrase.
   */
  ask: boolean;
}

export function keptHosts(hosts: readonly string[], flags: CommandContext['flags'], options: KeptHostOptions): HostRegistry {
  const acceptNew = flags['accept-new-host-key'] === true;
  const noCache = flags['no-cache'] === true;
  return new HostRegistry(
    Object.fromEntries(
      hosts.map((spec) => [
        spec,
        async (hooks) =>
          new HostSession(
            await openHost(spec, {
              onState: hooks.onState,
              // The prompts (and node:readline) load only for an SSH host that asks something.
              onUnknownHostKey: async (key) => (options.ask ? (await import('./prompts.js')).confirmHostKey(key, acceptNew) : acceptNew),
              askPassphrase: async (file) => (options.ask ? (await import('./prompts.js')).askPassphrase(file) : null),
              noCache,
              reconnect: {},
            }),
          ),
      ]),
    ),
  );
}
