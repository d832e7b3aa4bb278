// What today's kernels add, in the dashboard, in Chromium through `serve`: the live trace log of
// real bpf_printk programs (against the kernel's own trace file), a program's metadata, BPF
// streams and signature state, a frozen array's kernel hash (against bpftool's dump), the BPF CPU
// share and token delegation on the overview (a real delegating bpffs), each axe-clean in both
// themes; programs on programs from a snapshot of recorded kernel records (this kernel refuses
// fentry/freplace: test/helpers/recorded-kernel.ts); and an arena map's pages from a snapshot of
// a recorded arena (this kernel refuses arenas) over the loader's real .data pages; and a queue's
// and a stack's head, live, against bpftool map peek.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLocalHost } from '../../main/hosts/host-access.js';
import { arenaHost, bpfMappingOf, RECORDED, RECORDED_ARENA, writeExtensionSnapshot } from '../helpers/recorded-kernel.js';
import { writeSnapshot } from '../../main/hosts/snapshot-writer.js';
import { ACCESS_OBJECT } from '../helpers/access-fixture.js';
import { arrayHashFromBpftool, bpfscope, bpftoolJson } from '../helpers/cli.js';
import { serveWithFixtures } from './serve-fixtures.js';
import { REPO_ROOT, startServe } from './server-process.js';

let tokenDir: string;
const served = serveWithFixtures(async (fixtures) => {
  tokenDir = mkdtempSync(join(tmpdir(), 'bpfscope-e2e-token-'));
  execFileSync('mount', ['-t', 'bpf', '-o', 'delegate_cmds=prog_load:map_create,delegate_maps=array', 'bpf', tokenDir]);
  await fixtures.trigger('printk', 5);
});
test.afterAll(() => {
  if (!tokenDir) return;
  execFileSync('umount', [tokenDir]);
  rmSync(tokenDir, { recursive: true });
});

const egid = (): number => served.fixtures().program('printk_getegid', 'printk').id;
const loaderPid = (): number => served.fixtures().report.pid;

/** The loader's bpf_printk messages of one format, from the kernel's own trace file. */
function kernelMessages(prefix: string): string[] {
  return readFileSync('/sys/kernel/tracing/trace', 'utf8').split('\n')
    .filter((l) => l.includes(`-${loaderPid()} `) && l.includes(`bpf_trace_printk: ${prefix}`))
    .map((l) => l.replace(/^.*bpf_trace_printk: /, ''));
}

async function axe(page: Page, what: string): Promise<void> {
  await page.waitForTimeout(800);
  const results = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  const serious = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('; ')}`), `${what}: serious or critical axe violations`).toEqual([]);
}

async function photograph(page: Page, name: string): Promise<void> {
  mkdirSync(join(REPO_ROOT, 'test-results', 'screens'), { recursive: true });
  await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'screens', `${name}.png`) });
}

async function openIn(page: Page, hash: string, theme: 'light' | 'dark'): Promise<void> {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.addInitScript((t) => localStorage.setItem('bpfscope.theme', t), theme);
  await page.goto(new URL(hash, served.server().url).href);
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

const lineMessages = (page: Page) => page.locator('[data-tracelog] li[data-seq] .message').allTextContents();

test('the trace log shows the kernel’s bpf_printk lines live, by program, without consuming', async ({ page }) => {
  await openIn(page, '#/local/tracelog', 'light');
  await expect(page.locator('[data-tracelog-mode="tail"]')).toContainText('without consuming');
  const log = page.getByRole('log', { name: 'Trace log lines' });
  await expect(log).toContainText('bpfscope egid call 5', { timeout: 20_000 });
  // The program filter keeps its lines, each linked to it.
  await page.getByRole('combobox', { name: 'Program' }).selectOption(String(egid()));
  await page.getByRole('textbox', { name: 'Process id' }).fill(String(loaderPid()));
  await expect.poll(() => lineMessages(page)).toEqual(kernelMessages('bpfscope egid'));
  await expect(log.locator(`a[data-prog-id="${egid()}"]`).first()).toHaveAttribute('href', new RegExp(`#/local/programs/${egid()}$`));
  // New lines arrive as they are written.
  await served.fixtures().trigger('printk', 2);
  await expect(log).toContainText('bpfscope egid call 7', { timeout: 10_000 });
  await expect.poll(() => lineMessages(page)).toEqual(kernelMessages('bpfscope egid'));
  // Paused (p), the view keeps what it shows; resumed, it catches up.
  await page.locator('main h2').first().click();
  await page.keyboard.press('p');
  await served.fixtures().trigger('printk', 1);
  await page.waitForTimeout(1500);
  await expect(log).not.toContainText('bpfscope egid call 8');
  await page.keyboard.press('p');
  await expect(log).toContainText('bpfscope egid call 8', { timeout: 10_000 });
  // `/` focuses the text filter.
  await page.keyboard.press('/');
  await expect(page.getByRole('searchbox', { name: 'Filter trace lines' })).toBeFocused();
  await page.keyboard.type('call 3');
  await expect.poll(() => lineMessages(page)).toEqual(['bpfscope egid call 3']);
});

for (const theme of ['light', 'dark'] as const) {
  test(`trace log, program metadata and streams, overview: axe-clean in the ${theme} theme`, async ({ page }) => {
    await openIn(page, '#/local/tracelog', theme);
    await expect(page.getByRole('log', { name: 'Trace log lines' })).toContainText('bpfscope', { timeout: 20_000 });
    await axe(page, `trace log (${theme})`);
    await photograph(page, `tracelog${theme === 'dark' ? '-dark' : ''}`);

    await openIn(page, `#/local/programs/${egid()}`, theme);
    await expect(page.locator('[data-metadata]')).toContainText('owner = "bpfscope tests"', { timeout: 20_000 });
    await expect(page.locator('[data-metadata]')).toContainText('revision = 3');
    await page.locator('[data-stream-read="stderr"]').click();
    await expect(page.locator('[data-stream-empty]')).toHaveText('The stderr stream is empty.', { timeout: 10_000 });
    await expect(page.locator('[data-signature]')).toContainText('not recorded');
    await axe(page, `program detail with streams (${theme})`);

    // A frozen array's page: the kernel's SHA-256 of it, as computed from bpftool's dump.
    const rodata = served.fixtures().map('maps_bpf.rodata', 'maps').id;
    await openIn(page, `#/local/maps/${rodata}`, theme);
    await expect(page.locator('[data-map-sha256]')).toHaveText(await arrayHashFromBpftool(rodata), { timeout: 20_000 });
    await axe(page, `frozen array with its hash (${theme})`);

    await openIn(page, '#/local/overview', theme);
    await expect(page.locator('[data-count="bpf-cpu-share"]')).toHaveText(/^\d+\.\d{3} %$/, { timeout: 20_000 });
    await expect(page.locator(`[data-token="${tokenDir}"]`)).toContainText('map_create, prog_load', { timeout: 20_000 });
    await expect(page.locator(`[data-token="${tokenDir}"]`)).toContainText('array');
    await axe(page, `overview (${theme})`);
    await photograph(page, `overview-kern${theme === 'dark' ? '-dark' : ''}`);
  });
}

test('programs on programs: the target lists what extends it, the extension links to its target (recorded records)', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-e2e-ext-'));
  const local = await openLocalHost();
  const snapshot = join(dir, 'recorded.bpfsnap');
  const { targetId } = await writeExtensionSnapshot(local, egid(), served.fixtures().program('printk_geteuid', 'printk').id, snapshot);
  await local.close();
  const server = await startServe(['bin/bpfscope.js', 'serve', '--snapshot', snapshot]);
  try {
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(server.url);
    const entry = page.getByRole('complementary', { name: 'Hosts' }).getByRole('listitem').filter({ hasText: 'snapshot:recorded.bpfsnap' });
    const href = await entry.getByRole('link', { name: 'snapshot:recorded.bpfsnap' }).getAttribute('href', { timeout: 20_000 });
    const host = decodeURIComponent(/^#\/([^/]+)/.exec(href ?? '')?.[1] ?? '');
    await page.evaluate(([h, id]) => (location.hash = `#/${encodeURIComponent(h)}/programs/${id}`), [host, String(targetId)] as const);
    const extended = page.locator('[data-extended-by]');
    await expect(extended).toContainText(`fentry printk_geteuid ${RECORDED.fentryProg} on printk_getegid() (link ${RECORDED.fentryLink})`, { timeout: 20_000 });
    await expect(extended).toContainText(`freplace printk_geteuid ${RECORDED.freplaceProg} on printk_getegid()`);
    await extended.getByRole('link').first().click();
    await expect(page.locator('[data-attach]')).toContainText(`fentry printk_getegid() of prog ${targetId} (printk_getegid)`, { timeout: 20_000 });
    await page.locator(`[data-target-prog="${targetId}"]`).click();
    await expect(page.locator('[data-extended-by]')).toBeVisible({ timeout: 20_000 });
    await axe(page, 'program extended by others');
    // The graph runs the extensions from their target: target → link → extending program.
    await page.evaluate((h) => (location.hash = `#/${encodeURIComponent(h)}/graph`), host);
    await page.locator('[data-graph-filter]').fill('printk_ge');
    await expect(page.locator(`[data-graph-edge="prog:${targetId}>link:${RECORDED.fentryLink}"]`)).toHaveAttribute('data-access', 'runs', { timeout: 30_000 });
    await expect(page.locator(`[data-graph-edge="link:${RECORDED.fentryLink}>prog:${RECORDED.fentryProg}"]`)).toHaveAttribute('data-access', 'runs');
    await expect(page.locator(`[data-graph-edge="prog:${targetId}>link:${RECORDED.freplaceLink}"]`)).toHaveAttribute('data-access', 'runs');
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an arena map: size, user address, pages in use and each page as hexdump -C (recorded arena over real pages)', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-e2e-arena-'));
  const local = await openLocalHost();
  const snapshot = join(dir, 'arena.bpfsnap');
  const [entry] = await bpftoolJson<Array<{ value: string[] }>>(['map', 'dump', 'id', String(served.fixtures().map('maps_bpf.data', 'maps').id)]);
  const value = Uint8Array.from(entry!.value.map((h) => Number.parseInt(h, 16)));
  const start = await bpfMappingOf(local, loaderPid(), value);
  await writeSnapshot(arenaHost(local, loaderPid(), 'bpfscope-fixtu', start), snapshot, { maps: 'none', maxEntries: 0, withVmlinux: false });
  await local.close();
  // The page as hexdump -C prints bpftool's value of .data padded to a page, offsets made addresses.
  const padded = new Uint8Array(4096);
  padded.set(value);
  const hexdump = execFileSync('hexdump', ['-C'], { input: padded, encoding: 'utf8' }).split('\n').slice(0, -2)
    .map((l) => l.replace(/^[0-9a-f]{8}/, (o) => (start + BigInt(`0x${o}`)).toString(16).padStart(16, '0')));
  const server = await startServe(['bin/bpfscope.js', 'serve', '--snapshot', snapshot]);
  try {
    for (const theme of ['light', 'dark'] as const) {
      await page.setViewportSize({ width: 1400, height: 900 });
      await page.addInitScript((t) => localStorage.setItem('bpfscope.theme', t), theme);
      await page.goto(server.url);
      const host = page.getByRole('complementary', { name: 'Hosts' }).getByRole('listitem').filter({ hasText: 'snapshot:arena.bpfsnap' });
      const href = await host.getByRole('link', { name: 'snapshot:arena.bpfsnap' }).getAttribute('href', { timeout: 20_000 });
      const hostId = decodeURIComponent(/^#\/([^/]+)/.exec(href ?? '')?.[1] ?? '');
      await page.evaluate(([h, id]) => (location.hash = `#/${encodeURIComponent(h)}/maps/${id}`), [hostId, String(RECORDED_ARENA)] as const);
      await expect(page.locator('[data-arena-size]')).toHaveText('1 page (4096 bytes)', { timeout: 20_000 });
      await expect(page.locator('[data-arena-address]')).toHaveText(`0x${start.toString(16)}`);
      await expect(page.locator('[data-arena-present]')).toContainText(`1 of 1 present in bpfscope-fixtu (pid ${loaderPid()})`);
      expect((await page.locator('[data-arena-page="0"]').textContent())?.split('\n')).toEqual(hexdump);
      await axe(page, `arena map (${theme})`);
      await photograph(page, `arena${theme === 'dark' ? '-dark' : ''}`);
    }
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a queue\'s head, live: empty, its oldest element as bpftool peeks it, the next once bpftool pops, held while paused, gone once unloaded; a stack\'s newest; a snapshot and an object file say they have none (axe-clean, both themes)', async ({ page }) => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfscope-e2e-peek-'));
  const pin = `/sys/fs/bpf/bpfscope_e2e_peek_${process.pid}`;
  const stackPin = `${pin}_stack`;
  execFileSync('bpftool', ['map', 'create', pin, 'type', 'queue', 'key', '0', 'value', '12', 'entries', '8', 'name', 'e2e_queue']);
  const id = (await bpftoolJson<{ id: number }>(['map', 'show', 'pinned', pin])).id;
  const push = (seed: number): void => {
    execFileSync('bpftool', ['map', 'push', 'pinned', pin, 'value', 'hex', ...Array.from({ length: 12 }, (_, i) => ((i * 17 + seed) & 0xff).toString(16).padStart(2, '0'))]);
  };
  /** The head as bpftool peeks it, written as the value tree shows bytes without BTF. */
  const bpftoolHead = async (): Promise<string> => (await bpftoolJson<{ value: string[] }>(['map', 'peek', 'pinned', pin])).value.map((h) => h.slice(2)).join(' ');
  const view = page.locator(`[data-map-head]`);
  let server: Awaited<ReturnType<typeof startServe>> | undefined;
  try {
    await openIn(page, `#/local/maps/${id}`, 'light');
    await expect(view).toHaveAttribute('data-map-head', 'empty', { timeout: 20_000 });
    await expect(view).toContainText('The queue is empty: nothing to peek at.');
    await expect(page.locator('[data-map-head-capacity]')).toHaveText('8 elements');
    push(1);
    push(2);
    await expect(view).toHaveAttribute('data-map-head', 'head', { timeout: 10_000 });
    const tree = view.getByRole('tree', { name: 'Oldest element' });
    await expect(tree).toContainText(await bpftoolHead());
    // The page reads it every second and takes nothing: bpftool still peeks the same element.
    await page.waitForTimeout(2500);
    await expect(tree).toContainText(await bpftoolHead());
    // Keyboard: Tab reaches the element.
    await page.locator('main h2').first().click();
    let reached = false;
    for (let i = 0; i < 40 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate(() => document.activeElement?.closest('[data-map-head]') !== null && document.activeElement?.getAttribute('role') === 'treeitem');
    }
    expect(reached, 'Tab reaches the head element').toBe(true);
    for (const theme of ['light', 'dark'] as const) {
      await openIn(page, `#/local/maps/${id}`, theme);
      await expect(view).toHaveAttribute('data-map-head', 'head', { timeout: 20_000 });
      await axe(page, `queue head (${theme})`);
      await photograph(page, `queue-head${theme === 'dark' ? '-dark' : ''}`);
    }
    // bpftool pops the head: the view shows the next one, live.
    const first = await bpftoolHead();
    execFileSync('bpftool', ['map', 'pop', 'pinned', pin]);
    const second = await bpftoolHead();
    expect(second).not.toBe(first);
    await expect(view.getByRole('tree', { name: 'Oldest element' })).toContainText(second, { timeout: 10_000 });
    // Paused (p), the view keeps what it shows; resumed, it peeks again: bpftool took the last one.
    await page.locator('main h2').first().click();
    await page.keyboard.press('p');
    await expect(view).toContainText('(paused)');
    execFileSync('bpftool', ['map', 'pop', 'pinned', pin]);
    await page.waitForTimeout(2500);
    await expect(view.getByRole('tree', { name: 'Oldest element' })).toContainText(second);
    await page.keyboard.press('p');
    await expect(view).toHaveAttribute('data-map-head', 'empty', { timeout: 10_000 });

    // A stack's head is its newest element.
    execFileSync('bpftool', ['map', 'create', stackPin, 'type', 'stack', 'key', '0', 'value', '4', 'entries', '2', 'name', 'e2e_stack']);
    execFileSync('bpftool', ['map', 'push', 'pinned', stackPin, 'value', '1', '0', '0', '0']);
    execFileSync('bpftool', ['map', 'push', 'pinned', stackPin, 'value', '2', '0', '0', '0']);
    await openIn(page, `#/local/maps/${(await bpftoolJson<{ id: number }>(['map', 'show', 'pinned', stackPin])).id}`, 'dark');
    await expect(view.getByRole('heading', { name: 'Top of the stack' })).toBeVisible({ timeout: 20_000 });
    await expect(view.getByRole('tree', { name: 'Newest element' })).toContainText('02 00 00 00');
    await expect(page.locator('[data-map-head-capacity]')).toHaveText('2 elements');
    rmSync(stackPin);
    await openIn(page, `#/local/maps/${id}`, 'light');
    await expect(view).toHaveAttribute('data-map-head', 'empty', { timeout: 20_000 });

    const snapshot = join(dir, 'peek.bpfsnap');
    const local = await openLocalHost();
    await writeSnapshot(local, snapshot, { maps: 'none', maxEntries: 0, withVmlinux: false });
    await local.close();
    // Unloaded (its pin was its only holder): gone, live.
    rmSync(pin);
    await expect(view).toHaveAttribute('data-map-head', 'gone', { timeout: 10_000 });
    await expect(view).toContainText(`Map ${id} was unloaded`);

    server = await startServe(['bin/bpfscope.js', 'serve', '--snapshot', snapshot, '--object', ACCESS_OBJECT]);
    await page.goto(server.url);
    const openOffline = async (label: string, mapId: number): Promise<void> => {
      const entry = page.getByRole('complementary', { name: 'Hosts' }).getByRole('listitem').filter({ hasText: label });
      const href = await entry.getByRole('link', { name: label }).getAttribute('href', { timeout: 20_000 });
      const hostId = decodeURIComponent(/^#\/([^/]+)/.exec(href ?? '')?.[1] ?? '');
      await page.evaluate(([h, m]) => (location.hash = `#/${encodeURIComponent(h)}/maps/${m}`), [hostId, String(mapId)] as const);
    };
    await openOffline('snapshot:peek.bpfsnap', id);
    await expect(view).toHaveAttribute('data-map-head', 'unavailable', { timeout: 20_000 });
    await expect(view).toContainText(`is a snapshot: map ${id}'s head element is live data, which a snapshot does not record`);
    await axe(page, 'queue head on a snapshot host');
    const objectMaps = JSON.parse((await bpfscope(['ls', 'maps', '--json', '--host', `objfile:${ACCESS_OBJECT}`])).stdout) as Array<{ id: number; name: string }>;
    await openOffline('objfile:access.bpf.o', objectMaps.find((m) => m.name === 'work')!.id);
    await expect(view).toHaveAttribute('data-map-head', 'unavailable', { timeout: 20_000 });
    await expect(view).toContainText('(work) holds nothing to peek at: a queue or stack is filled once the object is loaded');
  } finally {
    await server?.stop();
    rmSync(pin, { force: true });
    rmSync(stackPin, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});
