// Which objects appeared and which vanished between two listings of ids.

export interface IdDiff {
  appeared: number[];
  vanished: number[];
}

/** Both lists are walked once; order of the results follows the inputs. */
export function diffIds(before: Iterable<number>, after: Iterable<number>): IdDiff {
  const previous = new Set(before);
  const current = new Set(after);
  const appeared: number[] = [];
  const vanished: number[] = [];
  for (const id of current) if (!previous.has(id)) appeared.push(id);
  for (const id of previous) if (!current.has(id)) vanished.push(id);
  return { appeared, vanished };
}
