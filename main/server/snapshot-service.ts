// The compare method of the service: any two hosts it knows (snapshots, live hosts), read through
// the same Host operations as `bpfscope diff` and diffed with the maps' BTF.
import type { Params, Result } from '../api/contract.js';
import type { HostSession } from '../hosts/host-session.js';
import { BtfEntryRenderer, readHostState } from '../hosts/snapshot-compare.js';
import { diffStates } from '../kernel/snapshot/diff.js';

/** Entries read per map and side when the caller names no limit: a UI answer, not an export. */
const DEFAULT_MAX_ENTRIES = 10_000;

export async function compareHosts(
  session: (host: string) => Promise<HostSession>, params: Params<'compareHosts'>,
): Promise<Result<'compareHosts'>> {
  const maxEntries = params.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const [before, after] = await Promise.all([session(params.before), session(params.after)]);
  const [beforeState, afterState] = await Promise.all([readHostState(before, maxEntries), readHostState(after, maxEntries)]);
  const renderer = await BtfEntryRenderer.load({ before: [before, beforeState], after: [after, afterState] });
  return diffStates(beforeState, afterState, renderer);
}
