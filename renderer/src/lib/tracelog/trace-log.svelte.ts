// The trace log a host sends (the `traceLog` event): a bounded window of the newest lines, held
// back while live views are paused, with what the server says about how it reads and what was
// lost. Filtering is pure (filterLines) and happens on what is kept.
import type { BpfscopeApi } from '../../../../main/api/contract.js';
import type { ApiErrorData } from '../../../../main/api/errors.js';
import type { TraceLogLineView, TraceLogUpdateView } from '../../../../main/api/view-records.js';
import { HeldBack } from '../app/held-back.js';

/** Lines kept in the view; older ones leave as new ones come. */
export const MAX_LINES = 5000;

export interface TraceLogFilter {
  text: string;
  /** A program id: its bpf_printk lines only. */
  prog?: number;
  comm: string;
  pid?: number;
}

export function filterLines(lines: readonly TraceLogLineView[], f: TraceLogFilter): TraceLogLineView[] {
  const text = f.text.trim().toLowerCase();
  return lines.filter((l) =>
    (f.prog === undefined || (l.progIds ?? []).includes(f.prog)) &&
    (f.comm === '' || l.comm === f.comm) &&
    (f.pid === undefined || l.pid === f.pid || l.tgid === f.pid) &&
    (text === '' || `${l.comm}-${l.pid} ${l.event} ${l.message}`.toLowerCase().includes(text)));
}

export class TraceLog {
  lines = $state.raw<TraceLogLineView[]>([]);
  /** How the server reads the log, in its words. */
  source = $state('');
  mode = $state<'tail' | 'consume' | undefined>();
  /** Events the kernel overwrote before they could be read, since this view opened. */
  lost = $state(0);
  error = $state.raw<ApiErrorData | null>(null);
  started = $state(false);
  private readonly held: HeldBack<TraceLogUpdateView>;
  private readonly unsubscribe: () => void;

  constructor(api: BpfscopeApi, host: string, consume: boolean) {
    this.held = new HeldBack((u) => this.apply(u), () => undefined, 1000);
    this.unsubscribe = api.subscribe('traceLog', { host, consume }, (u) => this.held.push(u), (e) => (this.error = { code: 'EDISCONNECTED', message: e.message }));
  }

  private apply(update: TraceLogUpdateView): void {
    if (update.kind === 'error') {
      this.error = { code: update.code, message: update.message, ...(update.hint ? { hint: update.hint } : {}) };
      return;
    }
    this.error = null;
    this.started = true;
    this.source = update.source;
    this.mode = update.mode;
    this.lost += update.lost + update.skipped;
    if (update.lines.length === 0) return;
    const next = this.lines.concat(update.lines);
    this.lines = next.length > MAX_LINES ? next.slice(next.length - MAX_LINES) : next;
  }

  close(): void {
    this.held.close();
    this.unsubscribe();
  }
}
