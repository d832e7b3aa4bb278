// Answers started before they are asked for. When the dashboard page is requested,
// the list its first view will ask for is started at once, so the host's work runs
// while the page's script loads instead of after it. An answer is handed out once,
// and only while young: a later request reads the host afresh.

export const HOLD_MS = 2000;

interface Held<T> {
  startedAt: number;
  answer: Promise<T>;
}

export class HeldAnswers<T> {
  private readonly held = new Map<string, Held<T>>();

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** Starts `run` for `key` unless a young answer is already held for it. */
  hold(key: string, run: () => Promise<T>): void {
    const current = this.held.get(key);
    if (current && this.now() - current.startedAt <= HOLD_MS) return;
    const answer = run();
    // Nobody may ever take it: a failure must not become an unhandled rejection.
    answer.catch(() => {});
    this.held.set(key, { startedAt: this.now(), answer });
  }

  /** The held answer for `key` if it was started at most HOLD_MS ago; it is then gone. */
  take(key: string): Promise<T> | undefined {
    const current = this.held.get(key);
    this.held.delete(key);
    if (!current || this.now() - current.startedAt > HOLD_MS) return undefined;
    return current.answer;
  }

  clear(): void {
    this.held.clear();
  }
}
