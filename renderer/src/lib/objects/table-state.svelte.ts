// Rows of a table after text filter and sort, plus the selected row (j/k/Enter).
import type { Column } from './columns.js';

export class TableState<Row extends { id: number }> {
  rows = $state.raw<Row[]>([]);
  filter = $state('');
  sortBy = $state<string | null>(null);
  descending = $state(false);
  selected = $state(0);
  readonly columns: Column<Row>[];

  readonly view = $derived.by(() => filterAndSort(this.rows, this.columns, this.filter, this.sortBy, this.descending));

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
