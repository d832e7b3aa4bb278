// Drift across a fleet: the same program name loaded with different bytecode (tag) on
// different hosts — usually a host that missed a rollout.

export interface ProgramDrift {
  name: string;
  /** Host → the tags its programs of that name have. */
  tags: Record<string, string[]>;
}

/** Programs of the same name whose tags (bytecode hashes) differ between hosts. */
export function programDrift(listings: ReadonlyMap<string, ReadonlyArray<{ name?: unknown; tag?: unknown }>>): ProgramDrift[] {
  const byName = new Map<string, Map<string, Set<string>>>();
  for (const [host, programs] of listings) {
    for (const p of programs) {
      if (typeof p.name !== 'string' || p.name === '' || typeof p.tag !== 'string') continue;
      const hosts = byName.get(p.name) ?? new Map<string, Set<string>>();
      byName.set(p.name, hosts);
      const tags = hosts.get(host) ?? new Set<string>();
      hosts.set(host, tags);
      tags.add(p.tag);
    }
  }
  const drift: ProgramDrift[] = [];
  for (const [name, hosts] of byName) {
    if (hosts.size < 2) continue;
    const all = new Set([...hosts.values()].flatMap((t) => [...t]));
    if (all.size < 2) continue;
    drift.push({ name, tags: Object.fromEntries([...hosts].map(([h, t]) => [h, [...t].sort()])) });
  }
  return drift.sort((a, b) => a.name.localeCompare(b.name));
}
