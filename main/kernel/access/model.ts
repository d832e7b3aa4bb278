// What the access analysis reports about one program.

export type AccessKind = 'read' | 'write' | 'emit' | 'jump';

/** The order accesses are listed in. */
export const ACCESS_KINDS: readonly AccessKind[] = ['read', 'write', 'emit', 'jump'];

export interface MapAccess {
  mapId: number;
  /**
   * The accesses are to maps held in this map-in-map; which one is chosen at run time, so the
   * program names only the outer map.
   */
  inner?: true;
  access: AccessKind[];
  /** Some access is a direct load or store of global data (`.bss`, `.data`, `.rodata`), no helper between. */
  direct?: true;
  /** Instruction indexes where each kind was found (the first few). */
  sites: Partial<Record<AccessKind, number[]>>;
}

/** A flow the analysis could not follow: an access may exist that it does not name. */
export interface UntrackedFlow {
  insn: number;
  reason: string;
  /** Maps involved, where known. */
  maps?: number[];
}

export interface MapAccessReport {
  maps: MapAccess[];
  untracked: UntrackedFlow[];
  /** False when the analysis stopped at its step limit: what it found stands, more may exist. */
  complete: boolean;
  /** Instructions interpreted (a loop body counts once per pass). */
  steps: number;
}
