// Privilege diagnostics of one host: reads what the findings need (whitelisted files, one
// id listing) and hands it to main/kernel/diagnostics. Never needs privilege itself.
import { diagnose, SYSCTLS, type DiagnosticInputs, type Finding, type SysctlName } from '../kernel/diagnostics/index.js';
import type { Host } from './host.js';
import { toHostError } from './host-error.js';

const SMALL = 1 << 16;
const MOUNTS_LIMIT = 1 << 20;

async function text(host: Host, path: string, limit = SMALL): Promise<string | undefined> {
  try {
    return new TextDecoder().decode(await host.readFile(path, limit));
  } catch {
    return undefined;
  }
}

/** True when the file exists: a read stopped for size (EFBIG) still proves it. */
async function exists(host: Host, path: string): Promise<boolean> {
  try {
    await host.readFile(path, 1);
    return true;
  } catch (error) {
    return toHostError(error).code === 'EFBIG';
  }
}

async function enumerateError(host: Host): Promise<string | undefined> {
  try {
    await host.listIds('prog');
    return undefined;
  } catch (error) {
    return toHostError(error).code;
  }
}

export async function diagnoseHost(host: Host): Promise<Finding[]> {
  const sysctls: DiagnosticInputs['sysctls'] = {};
  for (const [name, path] of Object.entries(SYSCTLS) as Array<[SysctlName, string]>) {
    const value = await text(host, path);
    if (value !== undefined) sysctls[name] = value;
  }
  const inputs: DiagnosticInputs = { sysctls, vmlinuxBtf: await exists(host, '/sys/kernel/btf/vmlinux') };
  const status = await text(host, '/proc/self/status');
  if (status !== undefined) inputs.status = status;
  const lockdown = await text(host, '/sys/kernel/security/lockdown');
  if (lockdown !== undefined) inputs.lockdown = lockdown;
  const mounts = await text(host, '/proc/mounts', MOUNTS_LIMIT);
  if (mounts !== undefined) inputs.mounts = mounts;
  const error = await enumerateError(host);
  if (error !== undefined) inputs.enumerateError = error;
  return diagnose(inputs);
}
