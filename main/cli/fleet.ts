// One command over several hosts (`--host a,b,c`): every host runs on its own,
// a failing host is reported beside the others' results, never instead of them.
import { programDrift } from '../hosts/drift.js';
import type { CliIo } from './context.js';

export interface HostRun {
  spec: string;
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `run` once per host, concurrently, each with its own captured output. */
export async function runOnHosts(specs: readonly string[], run: (spec: string, io: CliIo) => Promise<number>): Promise<HostRun[]> {
  return Promise.all(
    specs.map(async (spec) => {
      let stdout = '';
      let stderr = '';
      const io: CliIo = { out: (t) => void (stdout += t), err: (t) => void (stderr += t) };
      const code = await run(spec, io);
      return { spec, code, stdout, stderr };
    }),
  );
}

function errorJson(run: HostRun): string {
  return JSON.stringify({ error: run.stderr.trim().replace(/^bpfscope: /, '') || `exit ${run.code}` });
}

/** Prints the runs: JSON `{"hosts":{…},"drift":[…]}` or text sections per host. */
export function printFleet(runs: readonly HostRun[], json: boolean, withDrift: boolean, io: CliIo): number {
  const listings = new Map<string, Array<{ name?: unknown; tag?: unknown }>>();
  if (withDrift) {
    for (const run of runs) {
      if (run.code !== 0) continue;
      try {
        const parsed: unknown = JSON.parse(run.stdout);
        if (Array.isArray(parsed)) listings.set(run.spec, parsed as Array<{ name?: unknown; tag?: unknown }>);
      } catch {
        // Text output: drift is only computed from JSON listings.
      }
    }
  }
  const drift = withDrift ? programDrift(listings) : [];
  if (json) {
    // Each host's JSON is spliced in as text so 64-bit numbers stay exact.
    const hosts = runs.map((r) => `${JSON.stringify(r.spec)}:${r.code === 0 ? r.stdout.trim() : errorJson(r)}`);
    io.out(`{"hosts":{${hosts.join(',')}}${withDrift ? `,"drift":${JSON.stringify(drift)}` : ''}}\n`);
  } else {
    for (const run of runs) {
      io.out(`== ${run.spec} ==\n${run.code === 0 ? run.stdout : run.stderr}`);
    }
    for (const d of drift) {
      const where = Object.entries(d.tags).map(([h, t]) => `${h} ${t.join(',')}`).join('; ');
      const lacking = Object.entries(d.missing).map(([h, t]) => `${h} lacks ${t.join(',')}`).join('; ');
      io.out(`drift: program '${d.name}' differs across hosts: ${lacking} (tags: ${where})\n`);
    }
  }
  return runs.every((r) => r.code === 0) ? 0 : 1;
}

/** `ls progs` over several hosts as text: each host's table from its JSON, then the drift. */
export function printFleetListing(runs: readonly HostRun[], io: CliIo): number {
  const ok: HostRun[] = [];
  for (const run of runs) {
    if (run.code !== 0) {
      io.out(`== ${run.spec} ==\n${run.stderr}`);
      continue;
    }
    ok.push(run);
    const programs = JSON.parse(run.stdout) as Array<{ id?: unknown; type?: unknown; name?: unknown; tag?: unknown }>;
    io.out(`== ${run.spec} ==\n`);
    for (const p of programs) io.out(`${String(p.id)}: ${String(p.type)}  name ${String(p.name ?? '')}  tag ${String(p.tag)}\n`);
  }
  printFleet(ok, false, true, { out: (t) => io.out(t.split('\n').filter((l) => l.startsWith('drift:')).map((l) => `${l}\n`).join('')), err: io.err });
  return runs.every((r) => r.code === 0) ? 0 : 1;
}
