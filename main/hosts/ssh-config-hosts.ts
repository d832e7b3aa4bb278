// The Host aliases of the user's ~/.ssh/config, for the sidebar to offer before
// they are connected. Wildcard and negated patterns name no single host: left out.
import { homedir } from 'node:os';
import SSHConfig from 'ssh-config';
import { readSshConfigText } from './ssh-config-file.js';
import { resolveTarget } from './ssh-target.js';

export interface SshConfigHost {
  alias: string;
  /** `user@host:port` as `ssh alias` would connect; absent when the alias's settings do not resolve. */
  target?: string;
}

/** Sidebars list a few dozen; a generated config with more is cut here. */
const MAX_ALIASES = 500;

type Pattern = string | Array<{ val: string }>;

function patternsOf(value: Pattern): string[] {
  return typeof value === 'string' ? value.split(/\s+/) : value.map((p) => p.val);
}

/** Aliases in file order, each once, with where they lead. */
export function sshConfigHosts(configText: string, home = homedir()): SshConfigHost[] {
  const aliases = new Set<string>();
  for (const line of SSHConfig.parse(configText)) {
    if (line.type !== SSHConfig.DIRECTIVE || line.param.toLowerCase() !== 'host') continue;
    for (const pattern of patternsOf(line.value as Pattern)) {
      if (pattern && !/[*?!]/.test(pattern) && aliases.size < MAX_ALIASES) aliases.add(pattern);
    }
  }
  return [...aliases].map((alias) => {
    try {
      const target = resolveTarget(alias, { configText, home });
      return { alias, target: `${target.user}@${target.host}:${target.port}` };
    } catch {
      return { alias };
    }
  });
}

/** Reads ~/.ssh/config and the files it includes (none: no aliases). Read synchronously,
 * as small as it is: an asynchronous read waits behind a program list being built on the
 * same event loop. */
export function readSshConfigHosts(home = homedir()): SshConfigHost[] {
  return sshConfigHosts(readSshConfigText(home), home);
}
