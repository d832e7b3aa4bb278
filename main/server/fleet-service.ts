// Programs of every connected host in one list (the "All hosts" table), each row
// flagged when another host holding its name lacks its tag (drift). Hosts that are down
// (disconnected, failed) or wait for a host key decision are skipped and named; a host
// still connecting is asked (asking opens it). A host that fails or does not answer in
// time is listed with its error and never holds up the others.
import type { Result } from '../api/contract.js';
import type { HostSummary, ProgramSummary } from '../api/records.js';
import { driftsWith, programDrift } from '../hosts/drift.js';
import { HostError, toHostError } from '../hosts/host-error.js';

export type FleetPrograms = Result<'listFleetPrograms'>;

export interface FleetOptions {
  /** How long one host may take to list its programs. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export const FLEET_HOST_TIMEOUT_MS = 10_000;

function withTimeout<T>(work: Promise<T>, host: HostSummary, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HostError({ code: 'ETIMEDOUT', message: `${host.label}: no program list within ${timeoutMs / 1000} s` })), timeoutMs);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

function askable(host: HostSummary): boolean {
  return (host.status === 'connected' || host.status === 'connecting') && !host.hostKey;
}

/** `listPrograms` is the per-host listing the Programs tab uses. */
export async function listFleetPrograms(
  hosts: readonly HostSummary[],
  listPrograms: (host: string) => Promise<ProgramSummary[]>,
  options: FleetOptions = {},
): Promise<FleetPrograms> {
  const timeoutMs = options.timeoutMs ?? FLEET_HOST_TIMEOUT_MS;
  const asked = hosts.filter(askable);
  const skipped = hosts.filter((h) => !askable(h)).map((h) => ({ host: h.id, label: h.label, status: h.status }));
  const failed: FleetPrograms['failed'] = [];
  const listings = new Map<string, ProgramSummary[]>();
  await Promise.all(
    asked.map(async (h) => {
      try {
        options.signal?.throwIfAborted();
        listings.set(h.id, await withTimeout(listPrograms(h.id), h, timeoutMs));
      } catch (error) {
        const e = toHostError(error);
        failed.push({ host: h.id, label: h.label, code: e.code, message: e.message });
      }
    }),
  );
  const drift = programDrift(listings);
  const listed = asked.filter((h) => listings.has(h.id));
  const programs = listed.flatMap((h) => listings.get(h.id)!.map((program) => ({ host: h.id, drift: driftsWith(drift, program.name, program.tag), program })));
  return {
    hosts: listed.map((h) => ({ host: h.id, label: h.label, programs: listings.get(h.id)!.length })),
    programs,
    failed: failed.sort((a, b) => a.host.localeCompare(b.host)),
    skipped,
  };
}
