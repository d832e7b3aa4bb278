// Preconditions of the agent and SSH tests. Returns the reason to skip, or
// undefined; with CI=true a missing piece throws, so CI fails instead.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { ensureKernelEnv } from '../helpers/kernel-env.js';

export const AGENT_BINARY = 'native/build/agent-x86_64';
const ADDON = 'native/build/Release/bpfscope.node';

function findProblem(needSshd: boolean): string | undefined {
  const kernel = ensureKernelEnv();
  if (kernel) return kernel;
  // `node-gyp rebuild` empties native/build: rebuild the agent (about a second).
  if (!existsSync(AGENT_BINARY)) spawnSync('make', ['-s', '-C', 'native', 'agent'], { stdio: 'inherit' });
  if (!existsSync(AGENT_BINARY)) return `${AGENT_BINARY} is not built (run make -C native agent)`;
  if (!existsSync(ADDON)) return `${ADDON} is not built (run npm run build:native)`;
  if (needSshd) {
    if (!existsSync('/usr/sbin/sshd')) return 'SSH tests need /usr/sbin/sshd (openssh-server)';
    if (spawnSync('ssh-keygen', ['-?']).error) return 'SSH tests need ssh-keygen (openssh-client)';
  }
  return undefined;
}

export function agentTestProblem(needSshd = false): string | undefined {
  const problem = findProblem(needSshd);
  if (problem && process.env.CI === 'true') throw new Error(`agent test environment: ${problem}`);
  return problem;
}
