// Drift across a fleet: a program name whose bytecode (tag) one host has and another lacks —
// usually a host that missed a rollout. Every real host runs several tools and one name can be
// held by programs of different tags (three tools each load a `sched_switch`): what is
// compared is the set of tags each host has for a name, so hosts running the same tools agree.

export interface ProgramDrift {
  name: string;
  /** Host → the tags its programs of that name have. */
  tags: Record<string, string[]>;
  /** Host → the tags of that name other hosts have and it lacks (hosts lacking none left out). */
  missing: Record<string, string[]>;
}

/** Names held on two or more hosts whose sets of tags differ between those hosts. */
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
    const missing = [...hosts].flatMap(([h, t]) => {
      const lacks = [...all].filter((tag) => !t.has(tag)).sort();
      return lacks.length > 0 ? [[h, lacks] as const] : [];
    });
    if (missing.length === 0) continue;
    drift.push({ name, tags: Object.fromEntries([...hosts].map(([h, t]) => [h, [...t].sort()])), missing: Object.fromEntries(missing) });
  }
  return drift.sort((a, b) => a.name.localeCompare(b.name));
}

/** Whether a program of this name and tag is part of the drift: some host holding the name lacks its tag. */
export function driftsWith(drift: readonly ProgramDrift[], name: unknown, tag: unknown): boolean {
  const d = typeof name === 'string' ? drift.find((x) => x.name === name) : undefined;
  return d !== undefined && typeof tag === 'string' && Object.values(d.missing).some((lacks) => lacks.includes(tag));
}
