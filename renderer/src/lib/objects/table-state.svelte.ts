// Rows of a table after text filter and sort, plus the selected row (j/k/Enter).
import type { Column } from './columns.js';

export class TableState<Row extends { id: number }> {
  rows = $state.raw<Row[]>([]);
  filter = $state('');
  /** Selected value per facet column title ('' or absent: all). */
  facets = $state<Record<string, string>>({});
  sortBy = $state<string | null>(null);
  descending = $state(false);
  selected = $state(0);
  readonly columns: Column<Row>[];

  readonly view = $derived.by(() => filterAndSort(byFacets(this.rows, this.columns, this.facets), this.columns, this.filter, this.sortBy, this.descending));
  /** The values each facet column offers, from all rows. */
  readonly facetValues = $derived.by(() => facetValues(this.rows, this.columns));

  constructor(columns: Column<Row>[]) {
    this.columns = columns;
  }

  sort(title: string): void {
    if (this.sortBy === title) this.descending = !this.descending;
    else {
      this.sortBy = title;
      this.descending = false;
    }
  }

  move(delta: number): void {
    this.selected = Math.max(0, Math.min(this.view.length - 1, this.selected + delta));
  }
}

/** Pure: rows whose any cell contains every word of `filter`, sorted by one column. */
export function filterAndSort<Row>(rows: Row[], columns: Column<Row>[], filter: string, sortBy: string | null, descending: boolean): Row[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  let out = words.length === 0 ? rows : rows.filter((row) => {
    const text = columns.map((c) => c.cell(row)).join(' ').toLowerCase();
    return words.every((w) => text.includes(w));
  });
  const column = columns.find((c) => c.title === sortBy);
  if (column) {
    const key = column.sortKey ?? ((row: Row) => (column.numeric ? Number(column.cell(row)) || 0 : column.cell(row)));
    out = [...out].sort((a, b) => {
      const x = key(a);
      const y = key(b);
      const order = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return descending ? -order : order;
    });
  }
  return out;
}

const MAX_FACET_VALUES = 200;

/** Pure: rows offering the selected value of every facet that has one. */
export function byFacets<Row>(rows: Row[], columns: Column<Row>[], facets: Record<string, string>): Row[] {
  const active = columns.filter((c) => c.facet && facets[c.title]);
  if (active.length === 0) return rows;
  return rows.filter((row) => active.every((c) => c.facet!(row).includes(facets[c.title]!)));
}

/** Pure: sorted distinct values per facet column (bounded). */
export function facetValues<Row>(rows: Row[], columns: Column<Row>[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const column of columns) {
    if (!column.facet) continue;
    const values = new Set<string>();
    for (const row of rows) for (const value of column.facet(row)) if (value) values.add(value);
    out.set(column.title, [...values].sort().slice(0, MAX_FACET_VALUES));
  }
  return out;
}
