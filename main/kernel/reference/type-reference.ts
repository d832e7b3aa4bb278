// The shape of a type's explanation, shared by program, map, attach and link types.

export type TypeKind = 'prog' | 'map' | 'attach' | 'link';

export interface TypeReference {
  kind: TypeKind;
  /** libbpf's name of the type (`sched_cls`, `ringbuf`, `cgroup_inet_ingress`, `tcx`). */
  name: string;
  /** What it hooks (programs, attach types, links) or holds (maps). */
  what: string;
  /** Programs: their context. Maps: how programs use them. Attach types: the program type. Links: what the link keeps. */
  detail: string;
  /** SEC() names libbpf gives it (maps: `.maps`). */
  sections: string[];
  /** The Linux version that added it. */
  since: string;
  /** What loading, creating or attaching it takes. */
  capabilities: string;
  /** The kernel's documentation. */
  docs: string;
}

/** What `detail` is, per kind, for a reader. */
export const DETAIL_LABEL: Record<TypeKind, string> = { prog: 'context', map: 'used through', attach: 'program type', link: 'keeps' };
