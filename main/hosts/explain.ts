// `explain NAME` against a host: our tables, a kfunc's prototype from the host's BTF, and the
// kernel's own helper text where the host has the uapi header or the bpf-helpers(7) page.
import { gunzipSync } from 'node:zlib';
import { HASH_ELEMENT_LOOKUP, helperForSymbol } from '../kernel/access/helper-effects.js';
import { explainName, helperManualFromMan, helperManualText, kfuncExplanation, type Explanation } from '../kernel/reference/explain.js';
import type { HostSession } from './host-session.js';

const UAPI_HEADER = '/usr/include/linux/bpf.h';
const MAN_PAGE = '/usr/share/man/man7/bpf-helpers.7.gz';
const FILE_LIMIT = 8 << 20;

/** The kernel's documentation of a helper, and where it was read. */
export interface HelperManual {
  source: string;
  text: string;
}

/** `implementation`: the kernel function xlated code calls for the helper (`htab_map_update_elem`). */
export type ExplainedEntry = Explanation & { manual?: HelperManual; implementation?: string };

/** A kernel function a listing names as a call's target, read as the helper it implements. */
function asHelper(name: string): ExplainedEntry[] {
  const helper = name === HASH_ELEMENT_LOOKUP ? 'bpf_map_lookup_elem' : helperForSymbol(name);
  return helper && helper !== name ? explainName(`helper:${helper}`).map((e) => ({ ...e, implementation: name })) : [];
}

async function helperManual(session: HostSession, name: string): Promise<HelperManual | undefined> {
  const header = await session.host.readFile(UAPI_HEADER, FILE_LIMIT).catch(() => undefined);
  const fromHeader = header && helperManualText(new TextDecoder().decode(header), name);
  if (fromHeader) return { source: UAPI_HEADER, text: fromHeader };
  const page = await session.host.readFile(MAN_PAGE, FILE_LIMIT).catch(() => undefined);
  if (!page) return undefined;
  try {
    const text = helperManualFromMan(new TextDecoder().decode(gunzipSync(page, { maxOutputLength: FILE_LIMIT })), name);
    return text ? { source: MAN_PAGE, text } : undefined;
  } catch {
    return undefined;
  }
}

/** What NAME is. Without a session (no host at hand) only our tables answer. */
export async function explain(session: HostSession | undefined, name: string): Promise<ExplainedEntry[]> {
  const found: ExplainedEntry[] = explainName(name);
  if (found.length === 0) found.push(...asHelper(name.trim()));
  if (!session) return found;
  if (found.length === 0) {
    const btf = await session.vmlinuxBtf().catch(() => undefined);
    const kfunc = btf && kfuncExplanation(btf, name.trim());
    if (kfunc) found.push(kfunc);
  }
  for (const entry of found) {
    if (entry.kind !== 'helper') continue;
    const manual = await helperManual(session, entry.helper.name);
    if (manual) entry.manual = manual;
  }
  return found;
}
