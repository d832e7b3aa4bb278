// A program's calls named from kallsyms. Its own JIT-ed functions are named as the kernel names
// them (bpf_prog_<tag>_<func>) from its tags and BTF: [bpf] symbols come last in kallsyms, and
// reaching them costs the kernel as much as formatting the whole file, which is what makes
// bpftool's listing of a program with bpf-to-bpf calls slow. Only helpers and kfuncs are looked
// for in kallsyms, and that read can start before the analysis that names them has loaded.
import { decodeFuncInfo, decodeProgInfo, decodeProgTags, u64Array, type ProgInfo } from '../kernel/info/index.js';
import type { KernelSymbols } from '../kernel/proc/kallsyms.js';
import { kernelAddressesOf } from '../kernel/isa/resolve.js';
import type { RawProgInfo } from './host.js';
import type { HostSession } from './host-session.js';

/** Whether the kernel names every JIT-ed function of the program from its tags and func_info. */
function ownFunctionsNamed(info: ProgInfo, jitedKsyms: readonly bigint[]): boolean {
  const functions = jitedKsyms.length;
  return functions > 0 && info.nrProgTags === functions && info.nrFuncInfo === functions && (info.btfId ?? 0) !== 0 && jitedKsyms.every((address) => address !== 0n);
}

async function ownFunctionSymbols(session: HostSession, raw: RawProgInfo, info: ProgInfo, jitedKsyms: readonly bigint[]): Promise<Map<bigint, string>> {
  const [btf, { bpfFunctionSymbols }] = await Promise.all([session.btf(info.btfId ?? 0).catch(() => undefined), import('../kernel/proc/kallsyms.js')]);
  if (!btf || !info.funcInfoRecSize) return new Map();
  const names = decodeFuncInfo(raw.funcInfo, info.funcInfoRecSize).map(({ typeId }) => (btf.has(typeId) ? btf.type(typeId).name : undefined));
  return bpfFunctionSymbols(jitedKsyms, decodeProgTags(raw.progTags, jitedKsyms.length), names);
}

/**
 * The kernel symbols the calls of a program (its detailed info) name. Rejects where kallsyms
 * cannot be read and the calls need it.
 */
export async function programCallSymbols(session: HostSession, raw: RawProgInfo, info: ProgInfo = decodeProgInfo(raw.info)): Promise<KernelSymbols> {
  const jitedKsyms = u64Array(raw.jitedKsyms);
  const query = kernelAddressesOf(raw.xlated, jitedKsyms);
  const own = new Set(jitedKsyms);
  if (!query.addresses.some((address) => own.has(address)) || !ownFunctionsNamed(info, jitedKsyms) || !(await session.bpfFunctionsInKallsyms())) {
    return session.kernelSymbols(query);
  }
  const rest = { addresses: query.addresses.filter((address) => !own.has(address)), callBaseOffsets: query.callBaseOffsets };
  const [symbols, functions, { withBpfFunctions }] = await Promise.all([
    session.kernelSymbols(rest),
    ownFunctionSymbols(session, raw, info, jitedKsyms),
    import('../kernel/proc/kallsyms.js'),
  ]);
  // A function its BTF could not name (the BTF gone meanwhile): kallsyms after all.
  if (query.addresses.some((address) => own.has(address) && !functions.has(address))) return session.kernelSymbols(query);
  return withBpfFunctions(symbols, functions);
}

/**
 * Starts naming program id's calls; the session hands the analysis that asks for the same
 * symbols this same kallsyms scan. Resolves once the read is under way (a turn of the event
 * loop), not when it is done; a program gone or kallsyms unreadable only means the analysis
 * finds that out itself.
 */
export async function readCallSymbolsAhead(session: HostSession, id: number): Promise<void> {
  const raw = await session.host.progInfo(id, true).catch(() => null);
  if (raw) programCallSymbols(session, raw).catch(() => undefined);
  await new Promise<void>((resolve) => setImmediate(resolve));
}
