// Answers started before they are asked for: handed out once, only while young.
import { describe, expect, it } from 'vitest';
import { HeldAnswers, HOLD_MS } from '../../../main/server/held-answers.js';

describe('held answers', () => {
  it('hands a held answer out once, then nothing', async () => {
    let now = 0;
    const held = new HeldAnswers<string>(() => now);
    held.hold('local', async () => 'list');
    now = HOLD_MS - 1;
    await expect(held.take('local')).resolves.toBe('list');
    expect(held.take('local')).toBeUndefined();
  });

  it('drops an answer once it is older than HOLD_MS', () => {
    let now = 0;
    const held = new HeldAnswers<string>(() => now);
    held.hold('local', async () => 'list');
    now = HOLD_MS + 1;
    expect(held.take('local')).toBeUndefined();
  });

  it('does not start the work again while a young answer is held, and does once it is old', () => {
    let now = 0;
    let runs = 0;
    const held = new HeldAnswers<number>(() => now);
    const run = async (): Promise<number> => ++runs;
    held.hold('local', run);
    held.hold('local', run);
    expect(runs).toBe(1);
    now = HOLD_MS + 1;
    held.hold('local', run);
    expect(runs).toBe(2);
  });

  it('keeps answers per key', async () => {
    const held = new HeldAnswers<string>(() => 0);
    held.hold('a', async () => 'A');
    held.hold('b', async () => 'B');
    await expect(held.take('b')).resolves.toBe('B');
    await expect(held.take('a')).resolves.toBe('A');
  });

  it('gives a failure to whoever takes it, and none to the process when nobody does', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const held = new HeldAnswers<string>(() => 0);
      held.hold('taken', async () => Promise.reject(new Error('host gone')));
      held.hold('left', async () => Promise.reject(new Error('never asked')));
      await expect(held.take('taken')).rejects.toThrow('host gone');
      held.clear();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
