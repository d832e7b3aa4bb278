// Locates the static agent binaries (native/build/agent-<arch>) and their
// sha256, which names them in the remote cache.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HostError } from './host-error.js';

/** `uname -m` values we have an agent for, and the binary's suffix. */
const ARCHES: Record<string, string> = { x86_64: 'x86_64', amd64: 'x86_64', aarch64: 'aarch64', arm64: 'aarch64' };

export interface AgentBinary {
  arch: string;
  path: string;
  bytes: Buffer;
  sha256: string;
}

const here = dirname(fileURLToPath(import.meta.url));

/** Source tree (tests), compiled tree (out/node/main/hosts), packaged app. */
export function agentDirs(): string[] {
  const dirs = [process.env.BPFSCOPE_AGENT_DIR, resolve(here, '../../native/build'), resolve(here, '../../../../native/build')];
  const resourcesPath = (process as { resourcesPath?: string }).resourcesPath;
  // electron-builder puts the agents in resources/agent (build/electron-builder.json); the polkit policy names that path.
  if (resourcesPath) dirs.push(join(resourcesPath, 'agent'), join(resourcesPath, 'app.asar.unpacked/native/build'));
  return dirs.filter((d): d is string => !!d);
}

const cache = new Map<string, Promise<AgentBinary>>();

/** The agent for a remote `uname -m`; EARCH when there is none. */
export function agentBinaryFor(unameMachine: string, dirs: string[] = agentDirs()): Promise<AgentBinary> {
  const arch = ARCHES[unameMachine];
  if (!arch) {
    return Promise.reject(
      new HostError({ code: 'EARCH', message: `no agent for architecture ${unameMachine}`, hint: `bpfscope ships agents for ${[...new Set(Object.values(ARCHES))].join(' and ')}` }),
    );
  }
  const path = dirs.map((d) => join(d, `agent-${arch}`)).find((p) => existsSync(p));
  if (!path) {
    return Promise.reject(new HostError({ code: 'ENOAGENT', message: `agent-${arch} is not built (looked in ${dirs.join(', ')})`, hint: 'run `make -C native agent`' }));
  }
  let loading = cache.get(path);
  if (!loading) {
    loading = readFile(path).then((bytes) => ({ arch, path, bytes, sha256: createHash('sha256').update(bytes).digest('hex') }));
    cache.set(path, loading);
    loading.catch(() => cache.delete(path));
  }
  return loading;
}
