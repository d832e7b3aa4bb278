// One listing (programs, maps or links of a host) and how far loading got.
import type { ApiErrorData } from '../../../../main/api/errors.js';
import { toErrorData } from '../../../../main/api/errors.js';

export type ListStatus = 'loading' | 'ready' | 'error';

/** Settles after every refresh: feeds rows to whoever shows them. */
export type RowsListener<Row> = (rows: Row[]) => void;

export class ObjectList<Row> {
  status = $state<ListStatus>('loading');
  rows = $state.raw<Row[]>([]);
  error = $state.raw<ApiErrorData | null>(null);
  private readonly load: () => Promise<Row[]>;
  private generation = 0;
  private readonly onRows: RowsListener<Row> | undefined;

  constructor(load: () => Promise<Row[]>, onRows?: RowsListener<Row>) {
    this.load = load;
    this.onRows = onRows;
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    this.status = 'loading';
    try {
      const rows = await this.load();
      // A newer refresh won the race: its answer is the one to show.
      if (generation !== this.generation) return;
      this.rows = rows;
      this.onRows?.(rows);
      this.error = null;
      this.status = 'ready';
    } catch (error) {
      if (generation !== this.generation) return;
      this.error = toErrorData(error);
      this.status = 'error';
    }
  }
}
