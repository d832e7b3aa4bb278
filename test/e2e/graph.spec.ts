// The host graph, program summaries and the helper reference in Chromium through `serve`, on a
// busy host: the fixtures, a real bpftrace tool, and 1,000 programs with 3,000 maps held by no
// process. Lanes per tool, collapsed big clusters, filters, a click that opens the program, the
// summary at its top, a helper's reference on hover and on focus; both themes checked by axe and
// photographed (test-results/screens/, docs/screenshots/ for the README).
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBusyHost } from '../helpers/busy-host.js';
import { startCorpus, type Corpus } from '../helpers/corpus.js';
import { startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { ensureKernelEnvWith } from '../helpers/kernel-env.js';
import { REPO_ROOT, startServe, type ServeProcess } from './server-process.js';

let server: ServeProcess;
let fixtures: LoadedFixtures;
let corpus: Corpus;
let work: string;
const pinDir = `/sys/fs/bpf/bpfscope-graph-e2e-${process.pid}`;
const BUSY_PROGRAMS = 1000;
const BUSY_MAPS = 3000;

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const problem = ensureKernelEnvWith(['bpftrace']);
  if (problem) throw new Error(problem);
  work = mkdtempSync(join(tmpdir(), 'bpfscope-graph-e2e-'));
  expect(loadBusyHost(work, BUSY_PROGRAMS, BUSY_MAPS, pinDir, 'busy_')).toBe(BUSY_PROGRAMS);
  fixtures = await startFixtures({ only: ['maps', 'tracing', 'struct_ops'] });
  corpus = await startCorpus(['counts']);
  server = await startServe();
  await fixtures.trigger('getpid', 50);
});

test.afterAll(async () => {
  await server?.stop();
  await corpus?.stop();
  await fixtures?.stop();
  rmSync(pinDir, { recursive: true, force: true });
  if (work) rmSync(work, { recursive: true, force: true });
});

async function openGraph(page: Page, query = ''): Promise<void> {
  await page.setViewportSize({ width: 1500, height: 950 });
  await page.goto(new URL(`#/local/graph${query}`, server.url).href);
  await expect(page.locator('[data-graph-draw-ms]')).toBeVisible({ timeout: 60_000 });
}

const canvas = (page: Page) => page.getByRole('group', { name: 'Host graph' });
const node = (page: Page, id: string) => page.locator(`[data-graph-node="${id}"]`);

test('a busy host: one lane per tool, the 4,000 objects of no process collapsed, edges labelled by access', async ({ page }) => {
  await openGraph(page);
  const unowned = node(page, 'cluster:unowned');
  await expect(unowned).toBeVisible();
  const [progs, maps] = (await unowned.getAttribute('aria-label'))!.match(/(\d+) progs · (\d+) maps/)!.slice(1).map(Number);
  expect(progs).toBeGreaterThanOrEqual(BUSY_PROGRAMS);
  expect(maps).toBeGreaterThanOrEqual(BUSY_MAPS);
  // The bpftrace tool's lane: its programs and what they touch, by access.
  const tool = corpus.tools[0]!;
  await page.locator('[data-graph-owner]').selectOption(`proc:${tool.pid}`);
  await expect(page.locator(`[data-lane="proc:${tool.pid}"]`)).toContainText(`bpftrace (pid ${tool.pid})`);
  const opens = page.locator('[data-graph-node]').filter({ hasText: 'AT_opens' });
  await expect(opens).toHaveCount(1);
  const opensId = await opens.getAttribute('data-graph-node');
  await expect(page.locator(`[data-graph-edge$=">${opensId}"]`)).toHaveAttribute('data-access', 'read,write');
  await page.locator('[data-graph-owner]').selectOption('');
  expect(Number(await canvas(page).getAttribute('data-nodes'))).toBeLessThan(1000);
  // Svelte trims the space that opens a block: the timings once read "edges· read in".
  await expect(page.locator('[data-graph-count]')).toHaveText(/^\d+ nodes · \d+ edges · read in \d+ ms, drawn in \d+ ms$/);
});

test('the fixture\'s program: filtered by name, its tail call and maps drawn, a click opens it with its summary', async ({ page }) => {
  const prog = fixtures.program('count_getpid');
  const jumpTable = fixtures.map('jump_table');
  await openGraph(page, '?q=count_getpid');
  await expect(node(page, `prog:${prog.id}`)).toBeVisible();
  await expect(page.locator(`[data-graph-edge="prog:${prog.id}>map:${jumpTable.id}"]`)).toHaveAttribute('data-access', 'jump');
  await node(page, `prog:${prog.id}`).click();
  await expect(page).toHaveURL(new RegExp(`#/local/programs/${prog.id}`));
  const sentence = page.locator('[data-sentence]');
  await expect(sentence).toContainText(/^Runs on tracepoint sys_enter_getpid via link \d+ · held by bpfscope-fixtur \(pid \d+\)/, { timeout: 20_000 });
  await expect(sentence).toContainText('jumps through jump_table');
  await expect(page.locator(`[data-access="jumps"][data-map-id="${jumpTable.id}"]`)).toBeVisible();
  // What such programs are, beside it.
  const note = page.locator('[data-type-note="prog:tracepoint"]');
  await expect(note.locator('summary')).toHaveText('What is the tracepoint program type?');
  await note.locator('summary').click();
  await expect(note).toContainText('static kernel tracepoint');
  await expect(note).toContainText('Linux 4.7');
  await expect(note.getByRole('link', { name: 'Kernel documentation' })).toHaveAttribute('href', /^https:\/\/docs\.kernel\.org\//);
  // Live rates take the place of the host's counters once they arrive.
  await fixtures.trigger('getpid', 200);
  await expect(sentence).toContainText(/runs\/s/, { timeout: 20_000 });
});

test('live activity: a busy program shows its runs per second and its edges thicken', async ({ page }) => {
  const prog = fixtures.program('count_getpid');
  await openGraph(page, '?q=count_getpid');
  const edge = page.locator(`[data-graph-edge="prog:${prog.id}>map:${fixtures.map('jump_table').id}"]`);
  await expect(edge).toBeVisible();
  // 1.2 is the width of an edge whose programs do not run (GraphCanvas: 1.2 + log10(1 + runs/s)).
  let running = true;
  const busy = (async () => {
    while (running) await fixtures.trigger('getpid', 200);
  })();
  try {
    await expect(node(page, `prog:${prog.id}`).locator('.rate')).toHaveText(/^[\d.]+k?\/s$/, { timeout: 30_000 });
    await expect.poll(async () => Number(await edge.getAttribute('stroke-width')), { timeout: 30_000 }).toBeGreaterThan(1.2);
    await expect(edge.locator('title')).toContainText(/runs\/s$/);
  } finally {
    running = false;
    await busy;
  }
});

test('expanding the lane of 1,000 programs draws whole neighbourhoods up to 500 nodes; a name finds one of the rest', async ({ page }) => {
  await openGraph(page);
  await node(page, 'cluster:unowned').click();
  await expect.poll(async () => Number(await canvas(page).getAttribute('data-nodes')), { timeout: 30_000 }).toBeGreaterThan(500);
  await expect(node(page, 'more:unowned')).toContainText('more');
  await page.locator('[data-graph-filter]').fill('busy_9_p42');
  await expect(page.locator('[data-graph-node]').filter({ hasText: /^busy_9_p42/ })).toHaveCount(1);
  // Its three maps, each from the source: one read, two written.
  await expect(page.locator('[data-graph-edge^="prog:"]')).toHaveCount(3);
  expect((await page.locator('[data-graph-edge^="prog:"]').evaluateAll((edges) => edges.map((e) => e.getAttribute('data-access')))).sort()).toEqual(['read', 'read,write', 'read,write']);
});

/** Opens a program's page and hovers the first call of `name` in its bytecode; the call. */
async function hoverCallee(page: Page, program: string, name: string): Promise<Locator> {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(new URL(`#/local/programs/${fixtures.program(program).id}`, server.url).href);
  // The summary above the bytecode arrives on its own: hovering before it would have the line move away from the pointer.
  await expect(page.locator('[data-sentence]')).toBeVisible({ timeout: 30_000 });
  const callee = page.locator(`[data-callee="${name}"]`).first();
  await callee.scrollIntoViewIfNeeded({ timeout: 30_000 });
  await callee.hover();
  return callee;
}

test('a helper call in the bytecode shows its prototype and what it does, on hover and on focus', async ({ page }) => {
  const callee = await hoverCallee(page, 'count_getpid', 'bpf_get_current_pid_tgid');
  const tip = page.locator('[data-callee-tip]');
  await expect(tip).toContainText('__u64 bpf_get_current_pid_tgid(void)');
  await expect(tip).toContainText('thread-group id');
  await page.mouse.move(0, 0);
  await expect(tip).toHaveCount(0);
  await callee.focus();
  await expect(tip).toBeVisible();
});

test('a kfunc call in the bytecode shows its prototype from the kernel\'s BTF', async ({ page }) => {
  await hoverCallee(page, 'cc_cong_avoid', 'tcp_reno_cong_avoid');
  // struct_ops.bpf.c declares it `void tcp_reno_cong_avoid(struct sock *sk, __u32 ack, __u32 acked) __ksym`; the kernel's BTF says u32.
  const tip = page.locator('[data-callee-tip]');
  await expect(tip).toContainText('void tcp_reno_cong_avoid(struct sock *sk, u32 ack, u32 acked)');
  await expect(tip).toContainText('prototype from this kernel\'s BTF');
});

test('a stack map shows user frames named from the process\'s own files, the pid from the map beside it', async ({ page }) => {
  await fixtures.trigger('getppid', 3);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(new URL(`#/local/maps/${fixtures.map('user_stacks').id}`, server.url).href);
  const stack = page.locator('[data-stack]').first();
  await expect(stack).toContainText(`pid ${fixtures.report.pid}`, { timeout: 20_000 });
  await expect(stack.locator('[data-frame="0"]')).toContainText(/(syscall|getppid)\+0x[0-9a-f]+\s*libc\.so\.6/);
  await expect(stack).toContainText('bpfscope-fixtures');
  await page.locator('[data-stacks-pid]').fill('999999');
  await page.getByRole('button', { name: 'Resolve' }).click();
  await expect(stack).toContainText('process 999999 is gone');
});

for (const theme of ['light', 'dark'] as const) {
  test(`the graph in the ${theme} theme: no serious axe violation; photographed`, async ({ page }) => {
    await page.addInitScript((t) => localStorage.setItem('bpfscope.theme', t), theme);
    await openGraph(page);
    await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
    await page.waitForTimeout(1000);
    const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
    const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`)).toEqual([]);
    const name = `graph${theme === 'dark' ? '-dark' : ''}.png`;
    mkdirSync(join(REPO_ROOT, 'test-results', 'screens'), { recursive: true });
    const path = join(REPO_ROOT, 'test-results', 'screens', name);
    await page.screenshot({ path });
    mkdirSync(join(REPO_ROOT, 'docs', 'screenshots'), { recursive: true });
    copyFileSync(path, join(REPO_ROOT, 'docs', 'screenshots', name));
  });
}
