// `bpfscope doctor [--json]`: what this host lets bpfscope see, and what to change. Runs
// without privilege on purpose: that is when it is needed most.
import type { Finding } from '../kernel/diagnostics/index.js';
import { stringifyJson, type JsonObject } from '../kernel/info/index.js';
import { diagnoseHost } from '../hosts/diagnostics.js';
import { openLocalHost } from '../hosts/host-access.js';
import { UsageError, type CommandContext } from './context.js';

const MARK: Record<Finding['severity'], string> = { ok: 'ok   ', info: 'info ', warn: 'WARN ', block: 'BLOCK' };

export function renderDoctorText(label: string, findings: readonly Finding[]): string {
  const lines = [`bpfscope doctor: ${label}`];
  for (const f of findings) {
    lines.push(`${MARK[f.severity]} ${f.id} = ${f.value}`);
    if (f.blocks) lines.push(`      blocks: ${f.blocks}`);
    if (f.fix) lines.push(`      fix:    ${f.fix}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderDoctorJson(label: string, findings: readonly Finding[]): JsonObject {
  return { host: label, findings: findings.map((f) => ({ id: f.id, severity: f.severity, value: f.value, blocks: f.blocks, fix: f.fix })) };
}

export async function doctorCommand(ctx: CommandContext): Promise<number> {
  const hostSpec = ctx.flags.host;
  if (typeof hostSpec === 'string' && hostSpec !== 'local') throw new UsageError(`--host ${hostSpec}: remote hosts are not available to doctor in this build`);
  const host = await openLocalHost();
  try {
    const findings = await diagnoseHost(host);
    ctx.io.out(ctx.flags.json ? `${stringifyJson(renderDoctorJson(host.label, findings))}\n` : renderDoctorText(host.label, findings));
    // Exit 1 when something blocks bpfscope entirely, so scripts can check.
    return findings.some((f) => f.severity === 'block') ? 1 : 0;
  } finally {
    await host.close();
  }
}
