// Collects what the interpreter finds: accesses per map (or per map-in-map for its inner maps)
// and the flows it could not follow, each deduplicated and bounded.
import { ACCESS_KINDS, type AccessKind, type MapAccess, type UntrackedFlow } from './model.js';
import type { MapRefs } from './values.js';

/** Sites kept per map and kind: enough to point at them, bounded for huge programs. */
const MAX_SITES = 16;
const MAX_UNTRACKED = 256;

interface Entry {
  kinds: Set<AccessKind>;
  direct: boolean;
  sites: Map<AccessKind, Set<number>>;
}

export class AccessRecorder {
  private readonly byRef = new Map<number, Entry>();
  private readonly untrackedByKey = new Map<string, UntrackedFlow>();

  access(refs: MapRefs, kind: AccessKind, insn: number, direct = false): void {
    for (const ref of refs) {
      let entry = this.byRef.get(ref);
      if (!entry) {
        entry = { kinds: new Set(), direct: false, sites: new Map() };
        this.byRef.set(ref, entry);
      }
      entry.kinds.add(kind);
      if (direct) entry.direct = true;
      let sites = entry.sites.get(kind);
      if (!sites) entry.sites.set(kind, (sites = new Set()));
      if (sites.size < MAX_SITES) sites.add(insn);
    }
  }

  untracked(insn: number, reason: string, refs?: MapRefs): void {
    const key = `${insn}:${reason}`;
    if (this.untrackedByKey.has(key) || this.untrackedByKey.size >= MAX_UNTRACKED) return;
    const flow: UntrackedFlow = { insn, reason };
    const maps = refs?.filter((r) => r > 0);
    if (maps && maps.length > 0) flow.maps = [...maps];
    this.untrackedByKey.set(key, flow);
  }

  maps(): MapAccess[] {
    const out: MapAccess[] = [];
    for (const [ref, entry] of this.byRef) {
      const access: MapAccess = {
        mapId: Math.abs(ref),
        access: ACCESS_KINDS.filter((k) => entry.kinds.has(k)),
        sites: Object.fromEntries(ACCESS_KINDS.filter((k) => entry.sites.has(k)).map((k) => [k, [...entry.sites.get(k)!].sort((a, b) => a - b)])),
      };
      if (ref < 0) access.inner = true;
      if (entry.direct) access.direct = true;
      out.push(access);
    }
    return out.sort((a, b) => a.mapId - b.mapId || Number(a.inner ?? false) - Number(b.inner ?? false));
  }

  untrackedFlows(): UntrackedFlow[] {
    return [...this.untrackedByKey.values()].sort((a, b) => a.insn - b.insn);
  }
}
