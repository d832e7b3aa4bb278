// Work cut into time slices: nothing to wait for within a slice; after it, one turn of the
// event loop that every caller waits for together, then a new slice.
import { readFile } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TimeSlices } from '../../../main/hosts/time-slices.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('time slices', () => {
  it('asks for no pause within a slice, one shared pause after it, then starts a new slice', async () => {
    const slices = new TimeSlices(5);
    expect(slices.due()).toBeUndefined();
    busy(8);
    const first = slices.due();
    expect(first).toBeInstanceOf(Promise);
    expect(slices.due()).toBe(first);
    let timerRan = false;
    setTimeout(() => (timerRan = true), 0);
    await first;
    busy(1);
    expect(slices.due()).toBeUndefined();
    // The pause is a real turn of the event loop: a timer due meanwhile has run by the next one.
    busy(8);
    await slices.due();
    expect(timerRan).toBe(true);
  });

  it('pauses for a whole turn even when the slice began in an I/O callback, where one immediate would run before any timer', async () => {
    const timerRanByPauseEnd = await new Promise<boolean>((resolve, reject) => {
      readFile(import.meta.filename, (err) => {
        if (err) return reject(err);
        let timerRan = false;
        setTimeout(() => (timerRan = true), 0);
        const slices = new TimeSlices(5);
        busy(8);
        void slices.due()!.then(() => resolve(timerRan));
      });
    });
    expect(timerRanByPauseEnd).toBe(true);
  });
});
