// One listing (programs, maps or links of a host; programs of all hosts) and how far loading got.
import type { ApiErrorData } from '../../../../main/api/errors.js';
import { toErrorData } from '../../../../main/api/errors.js';

export type ListStatus = 'loading' | 'ready' | 'error';

export class ObjectList<Answer> {
  status = $state<ListStatus>('loading');
  error = $state.raw<ApiErrorData | null>(null);
  private generation = 0;
  private lastRefreshMs = -Infinity;
  private soon: ReturnType<typeof setTimeout> | undefined;

  /** `show` takes each refresh's answer, unless a newer refresh has started meanwhile. */
  constructor(
    private readonly load: () => Promise<Answer>,
    private readonly show: (answer: Answer) => void,
  ) {}

  /** Refreshes, but not sooner than `gapMs` after the last refresh (objects come and go in bursts). */
  refreshSoon(gapMs = 2000): void {
    if (this.soon) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.refresh();
    }, Math.max(0, this.lastRefreshMs + gapMs - Date.now()));
  }

  /** No refresh pending any more (the view went away). */
  close(): void {
    clearTimeout(this.soon);
    this.soon = undefined;
    this.generation++;
  }

  async refresh(): Promise<void> {
    this.lastRefreshMs = Date.now();
    const generation = ++this.generation;
    this.status = 'loading';
    try {
      const answer = await this.load();
      // A newer refresh won the race: its answer is the one to show.
      if (generation !== this.generation) return;
      this.show(answer);
      this.error = null;
      this.status = 'ready';
    } catch (error) {
      if (generation !== this.generation) return;
      this.error = toErrorData(error);
      this.status = 'error';
    }
  }
}
