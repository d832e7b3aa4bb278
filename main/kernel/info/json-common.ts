// Keys every bpftool show object ends with.

import type { JsonObject } from './json-value.js';
import type { Owner } from './show-input.js';

/** Owners as bpftool's `pids` (one entry per pid, first comm wins), or nothing. */
export function addPids(out: JsonObject, owners: readonly Owner[] | undefined): void {
  const unique = uniqueOwners(owners);
  if (unique.length > 0) out.pids = unique.map((o) => ({ pid: o.pid, comm: o.comm }));
}

const NO_OWNERS: readonly Owner[] = [];

export function uniqueOwners(owners: readonly Owner[] | undefined): readonly Owner[] {
  // Most objects of a listing have no holder: no set and no copy for them.
  if (!owners || owners.length === 0) return NO_OWNERS;
  const seen = new Set<number>();
  const out: Owner[] = [];
  for (const o of owners) {
    if (seen.has(o.pid)) continue;
    seen.add(o.pid);
    out.push(o);
  }
  return out;
}

export function addPinned(out: JsonObject, pinned: readonly string[] | undefined): void {
  if (pinned) out.pinned = [...pinned];
}
