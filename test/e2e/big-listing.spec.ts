// The bytecode of a 100 000-instruction program (clang-built, loaded here) in Chromium
// through `serve`: the listing arrives in pages, so its first rows show at once, the end
// is one scroll away, a call's target far down loads its page, and the DOM holds the same
// few rows throughout.
import { expect, test } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBigProgram, type BigProgram } from '../helpers/big-program.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { startServe, type ServeProcess } from './server-process.js';

let server: ServeProcess;
let program: BigProgram;
let work: string;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const problem = ensureKernelEnv();
  if (problem) throw new Error(problem);
  work = mkdtempSync(join(tmpdir(), 'bpfscope-big-listing-'));
  // 25 functions of 1000 lines: ~100 000 instructions, each line with its source line.
  program = loadBigProgram(work, `/sys/fs/bpf/bpfscope_big_listing_${process.pid}`, 25, 1000);
  server = await startServe();
});

test.afterAll(async () => {
  await server?.stop();
  program?.unload();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('a 100 000-instruction program: first rows, the last one, a far call target, constant DOM', async ({ page }) => {
  expect(program.insns).toBeGreaterThan(100_000);
  await page.setViewportSize({ width: 1400, height: 1000 });
  await page.goto(server.url);
  const started = Date.now();
  await page.evaluate((h) => (location.hash = h), `#/local/programs/${program.id}`);
  const listing = page.locator('[data-listing]');
  await expect(listing.locator('.insn').first()).toContainText('0: (61) r1 = *(u32 *)(r1 +112)', { timeout: 20_000 });
  const firstRowsMs = Date.now() - started;
  test.info().annotations.push({ type: 'first rows', description: `${firstRowsMs} ms for ${program.insns} instructions` });
  await expect(listing).toContainText('int big_listing(struct __sk_buff * skb):');
  await expect(listing).toContainText('; __u64 v = skb->len;');
  const lineCount = Number(await listing.getAttribute('data-lines'));
  expect(lineCount).toBeGreaterThan(program.insns);
  const rows = listing.locator('[role=row]');
  // What fits in the viewport (20 px rows) plus the overscan above and below (8 each).
  const domRows = Math.ceil((await listing.locator('[role=grid]').evaluate((grid) => grid.clientHeight)) / 20) + 2 * 8 + 1;
  expect(await rows.count()).toBeGreaterThan(10);
  expect(await rows.count()).toBeLessThanOrEqual(domRows);

  // The end: the last exit, on the last display line.
  await listing.locator('[role=grid]').evaluate((grid) => (grid.scrollTop = grid.scrollHeight));
  await expect(listing.locator('.insn', { hasText: `${program.insns - 1}: (95) exit` })).toBeVisible({ timeout: 10_000 });
  await expect(listing.locator(`[aria-rowindex="${lineCount}"]`)).toContainText(`${program.insns - 1}: (95) exit`);
  expect(await rows.count()).toBeLessThanOrEqual(domRows);

  // Back to the top, then through the farthest call the kernel's 16-bit offset still holds
  // (step8; later calls wrap, in bpftool's text too): its page loads.
  await listing.locator('[role=grid]').evaluate((grid) => (grid.scrollTop = 0));
  const jump = listing.locator('.insn', { hasText: 'call pc+32034#' }).locator('button.jump');
  await expect(jump).toBeVisible();
  const target = Number(await jump.getAttribute('data-target'));
  expect(target).toBeGreaterThan(30_000);
  await jump.click();
  await expect(listing.locator('.insn.target')).toContainText(`${target}:`, { timeout: 10_000 });
  await expect(listing.locator('.insn.target')).toBeInViewport();
  await expect(listing.locator('.func', { hasText: 'step8(' })).toBeVisible();
  expect(await rows.count()).toBeLessThanOrEqual(domRows);

  // Find: the host searches all 100 000 instructions and counts the matches, from the line at
  // the top of the screen; coming round backwards from the first lands far down, in step20
  // itself, whose page loads.
  await listing.locator('[role=grid]').evaluate((grid) => (grid.scrollTop = 0));
  const status = page.locator('[data-find-status]');
  const found = listing.locator('[data-found]');
  await page.keyboard.press('/');
  await page.keyboard.type('step20(');
  await page.keyboard.press('Enter');
  await expect(status).toHaveText(/^1 of \d+$/, { timeout: 20_000 });
  await expect(found).toContainText('v = step20(v);');
  const total = Number((await status.textContent())!.split(' of ')[1]);
  expect(total).toBeGreaterThanOrEqual(2);
  await page.keyboard.press('Shift+Enter');
  await expect(status).toHaveText(`${total} of ${total}`, { timeout: 20_000 });
  await expect(found).toBeInViewport({ timeout: 10_000 });
  await expect(listing.locator('.func', { hasText: 'step20(' })).toBeVisible();
  expect(await rows.count()).toBeLessThanOrEqual(domRows);

  // The JIT image of 100 000 instructions is cut, and says so.
  await page.getByRole('tab', { name: 'JIT' }).click();
  await expect(page.locator('[data-jit]')).toContainText('bpf_prog_', { timeout: 30_000 });
  await expect(page.getByText('The JIT image is cut')).toBeVisible();
});
