// Programs on programs, resolved on a host: each tracing link's target decided (prog-targets.ts)
// from the linked program's info, and for program targets the function named from the target's
// BTF. Targets that are kernel functions are left to the attach point's `btf OBJ:ID`.
import { decodeProgInfo, progFullName, type LinkInfo, type ProgInfo } from '../kernel/info/index.js';
import { extensionKind, tracingLinkTarget, type ProgramExtension } from '../kernel/info/prog-targets.js';
import type { HostSession } from './host-session.js';

async function progInfoOf(session: HostSession, id: number, seen: Map<number, ProgInfo | null>): Promise<ProgInfo | null> {
  if (!seen.has(id)) {
    const raw = id ? await session.host.progInfo(id, false) : null;
    seen.set(id, raw && decodeProgInfo(raw.info));
  }
  return seen.get(id) ?? null;
}

async function funcName(session: HostSession, btfObjId: number | undefined, typeId: number): Promise<string | undefined> {
  if (!btfObjId) return undefined;
  try {
    const btf = await session.btf(btfObjId);
    return btf.has(typeId) ? btf.type(typeId).name || undefined : undefined;
  } catch {
    // The target's BTF went away or cannot be read: the BTF type id is still said.
    return undefined;
  }
}

/** Every link that runs a program on another program's function. */
export async function programExtensions(session: HostSession, links: readonly LinkInfo[]): Promise<ProgramExtension[]> {
  const infos = new Map<number, ProgInfo | null>();
  const out: ProgramExtension[] = [];
  for (const link of links) {
    if (link.details?.kind !== 'tracing' || !link.progId) continue;
    const linked = await progInfoOf(session, link.progId, infos);
    const target = tracingLinkTarget(link, linked ?? undefined);
    if (target?.kind !== 'program') continue;
    const targetInfo = await progInfoOf(session, target.progId, infos);
    const extension: ProgramExtension = { linkId: link.id, progId: link.progId, targetProgId: target.progId, kind: extensionKind(link, linked?.type), funcBtfId: target.btfId };
    if (linked?.name) extension.progName = progFullName(linked);
    if (targetInfo?.name) extension.targetName = progFullName(targetInfo);
    const func = await funcName(session, targetInfo?.btfId, target.btfId);
    if (func) extension.func = func;
    out.push(extension);
  }
  return out;
}
