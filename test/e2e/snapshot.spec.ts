// `bpfscope serve --snapshot FILE --object FILE.o` in Chromium: the snapshot is a host in the sidebar with a
// 'snapshot' badge, its programs listed from the file (taken while the fixtures were loaded,
// shown after they are gone), and a note that live views need a live host. The compare view
// shows the map entries a trigger changed between two snapshots, and the fixture programs
// a live host no longer has. A file chosen in the browser is uploaded to the server and opens
// as a host; a damaged one gives the decoder's clear error. A compiled .bpf.o uploaded the same
// way opens as an object file host: its programs, a listing with source lines, and its global
// data decoded as map contents.
import { expect, test } from '@playwright/test';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURE_BUILD_DIR, startFixtures, type FixtureReport } from '../helpers/fixtures.js';
import { ensureKernelEnv } from '../helpers/kernel-env.js';
import { REPO_ROOT, startServe, type ServeProcess } from './server-process.js';

let server: ServeProcess;
let report: FixtureReport;
const dir = mkdtempSync(join(tmpdir(), 'bpfscope-e2e-snap-'));
const file = join(dir, 'fixtures.bpfsnap');
const later = join(dir, 'later.bpfsnap');

function snapshot(path: string): void {
  const r = spawnSync(process.execPath, [join(REPO_ROOT, 'bin/bpfscope.js'), 'snapshot', '-o', path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bpfscope snapshot failed: ${r.stderr}`);
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  ensureKernelEnv();
  const fixtures = await startFixtures({ only: ['maps', 'tracing'] });
  try {
    report = fixtures.report;
    snapshot(file);
    await fixtures.trigger('getpid', 3);
    snapshot(later);
  } finally {
    // Unloaded before the browser looks: what it shows can only come from the file.
    await fixtures.stop();
  }
  server = await startServe(['bin/bpfscope.js', 'serve', '--snapshot', file, '--object', join(FIXTURE_BUILD_DIR, 'cgroup.bpf.o')]);
});

test.afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a snapshot opens as a read-only host: badge, its programs, live views explained', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(server.url);
  const sidebar = page.getByRole('complementary', { name: 'Hosts' });
  const entry = sidebar.getByRole('listitem').filter({ hasText: 'snapshot:fixtures.bpfsnap' });
  await expect(entry).toContainText(/snapshot of local, taken \d{4}-\d\d-\d\d/, { timeout: 20_000 });
  await expect(entry.locator('.badge')).toHaveText('snapshot');
  await expect(entry.locator('[data-snapshot-note]')).toContainText('live views (run statistics, charts, map watch) need a live host');

  // `serve --object` opened an object file beside it.
  await expect(sidebar.getByRole('listitem').filter({ hasText: 'objfile:cgroup.bpf.o' })).toContainText('object file cgroup.bpf.o, not loaded');

  await entry.getByRole('link', { name: 'snapshot:fixtures.bpfsnap' }).click();
  await page.getByRole('link', { name: 'Programs', exact: true }).click();
  const grid = page.getByRole('grid', { name: 'Programs' });
  await expect(grid).toBeVisible({ timeout: 20_000 });
  const program = report.programs.find((p) => p.object === 'tracing')!;
  await page.keyboard.press('/');
  await page.keyboard.type(program.kernel_name);
  await expect(grid.locator(`[data-id="${program.id}"]`)).toContainText(program.kernel_name, { timeout: 10_000 });
  await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'snapshot-host.png') });
});

test('compare: entries a trigger changed between two snapshots; programs a live host no longer has', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(server.url);
  const sidebar = page.getByRole('complementary', { name: 'Hosts' });
  // The second snapshot is added like any host, by spec.
  await sidebar.getByRole('textbox', { name: 'Host to add' }).fill(`snapshot:${later}`);
  await sidebar.getByRole('button', { name: 'Add host' }).click();
  await expect(sidebar.getByRole('listitem').filter({ hasText: 'snapshot:later.bpfsnap' })).toContainText('snapshot of local', { timeout: 20_000 });

  await sidebar.getByRole('button', { name: 'Compare hosts…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Compare hosts' });
  const [a, b] = await Promise.all([
    sidebar.getByRole('listitem').filter({ hasText: 'snapshot:fixtures.bpfsnap' }).getByRole('link').getAttribute('href'),
    sidebar.getByRole('listitem').filter({ hasText: 'snapshot:later.bpfsnap' }).getByRole('link').getAttribute('href'),
  ]);
  const hostOf = (href: string | null): string => decodeURIComponent(href!.split('/')[1]!);
  await dialog.getByRole('combobox', { name: 'Before' }).selectOption(hostOf(a));
  await dialog.getByRole('combobox', { name: 'After' }).selectOption(hostOf(b));
  await dialog.getByRole('button', { name: 'Compare', exact: true }).click();
  // The first getpid of the loader adds its key, later ones change its value.
  await expect(dialog.locator('[data-compare-map="getpid_counts"]')).toContainText(/entries \((\+[1-9]|\+0 −0 ~[1-9])/, { timeout: 60_000 });
  await expect(dialog.locator('[data-compare-map="getpid_counts"] + ul')).toContainText(/^[+~] \d+: \{/);

  await dialog.getByRole('combobox', { name: 'After' }).selectOption('local');
  await dialog.getByRole('button', { name: 'Compare', exact: true }).click();
  const program = report.programs.find((p) => p.object === 'tracing')!;
  // Gone from the live host: removed, or, where another loader on this machine holds a program
  // of the same type and name, paired with it as reloaded under a new id.
  const gone = new RegExp(`− ${program.type} ${program.kernel_name} \\(id ${program.id},|${program.kernel_name}: (reloaded|changed) \\(id ${program.id} →`);
  await expect(dialog.locator('[data-compare="programs"]')).toContainText(gone, { timeout: 60_000 });
  await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'compare.png') });
});

test('File → Open uploads a snapshot to the server, which opens it as a host; a damaged file is refused clearly', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(server.url);
  const sidebar = page.getByRole('complementary', { name: 'Hosts' });
  const uploaded = join(dir, 'uploaded.bpfsnap');
  copyFileSync(later, uploaded);
  await sidebar.getByLabel('Open snapshot or object file').setInputFiles(uploaded);
  const entry = sidebar.getByRole('listitem').filter({ hasText: 'snapshot:uploaded.bpfsnap' });
  await expect(entry).toContainText('snapshot of local', { timeout: 30_000 });
  await expect(entry.locator('.badge')).toHaveText('snapshot');
  // The upload's overview is open: its programs come from the file.
  await page.getByRole('link', { name: 'Programs', exact: true }).click();
  const program = report.programs.find((p) => p.object === 'maps' || p.object === 'tracing')!;
  // `/` before the view is up focuses nothing, and the name's letters would go to the shortcuts.
  const filter = page.getByRole('searchbox', { name: 'Filter programs' });
  await expect(filter).toBeVisible({ timeout: 20_000 });
  await page.keyboard.press('/');
  await expect(filter).toBeFocused();
  await page.keyboard.type(program.kernel_name);
  await expect(page.getByRole('grid', { name: 'Programs' }).locator(`[data-id="${program.id}"]`)).toBeVisible({ timeout: 10_000 });

  const damaged = join(dir, 'damaged.bpfsnap');
  const bytes = readFileSync(later);
  writeFileSync(damaged, bytes.subarray(0, bytes.length >> 1));
  await sidebar.getByLabel('Open snapshot or object file').setInputFiles(damaged);
  await expect(sidebar.getByRole('alert')).toContainText(/ESNAPSHOT.*damaged\.bpfsnap: truncated or corrupted/, { timeout: 20_000 });
});

test('a compiled BPF object file opens like a host: its programs, a listing with source lines, global data decoded', async ({ page }) => {
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(server.url);
  const sidebar = page.getByRole('complementary', { name: 'Hosts' });
  await sidebar.getByLabel('Open snapshot or object file').setInputFiles(join(FIXTURE_BUILD_DIR, 'maps.bpf.o'));
  const entry = sidebar.getByRole('listitem').filter({ hasText: 'objfile:maps.bpf.o' });
  await expect(entry).toContainText('object file maps.bpf.o, not loaded, license GPL', { timeout: 30_000 });
  await expect(entry.locator('.badge')).toHaveText('object file');
  await expect(entry.locator('[data-snapshot-note]')).toContainText('shown as if loaded');

  // Ids are positions in the file: the programs in section order, then the maps libbpf would create.
  await page.getByRole('link', { name: 'Programs', exact: true }).click();
  const grid = page.getByRole('grid', { name: 'Programs' });
  await expect(grid.locator('[data-id="1"]')).toContainText('count_getpid', { timeout: 20_000 });
  await expect(grid.locator('[data-id="4"]')).toContainText('emit_getppid');
  await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'objfile-host.png') });

  const base = (await entry.getByRole('link').getAttribute('href'))!.replace(/\/overview$/, '');
  await page.evaluate((h) => (location.hash = h), `${base}/programs/1`);
  await expect(page.locator('main h2')).toContainText('count_getpid', { timeout: 20_000 });
  const listing = page.locator('[data-listing]');
  await expect(listing).toContainText('0: (bf) r6 = r1', { timeout: 20_000 });
  await expect(listing).toContainText('call bpf_get_current_pid_tgid');
  await expect(listing).toContainText('; __u32 tgid = bpf_get_current_pid_tgid() >> 32;');
  await expect(page.locator('[data-map-id]:not([data-access])').filter({ hasText: 'getpid_counts' })).toHaveCount(1, { timeout: 20_000 });
  await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'objfile-listing.png') });

  await page.evaluate((h) => (location.hash = h), `${base}/maps`);
  const maps = page.getByRole('grid', { name: 'Maps' });
  await expect(maps).toContainText('maps.data', { timeout: 20_000 });
  const data = maps.locator('[data-id]').filter({ hasText: 'maps.data' });
  await page.evaluate((h) => (location.hash = h), `${base}/maps/${await data.getAttribute('data-id')}`);
  const rows = page.locator('[data-map-rows] [data-key]');
  await expect(rows).toHaveCount(1, { timeout: 20_000 });
  await rows.first().click();
  await expect(page.getByRole('tree')).toContainText('bpfscope-data');
  await expect(page.getByRole('tree')).toContainText('FIXTURE_BLUE');
  await page.screenshot({ path: join(REPO_ROOT, 'test-results', 'objfile-globals.png') });

  // A `.maps` map: its BTF types (no entries until loaded). Its value type opens the object's
  // own BTF (id 1) in the BTF browser.
  await page.evaluate((h) => (location.hash = h), `${base}/maps`);
  const hash = maps.locator('[data-id]').filter({ hasText: 'hash_map' });
  await page.evaluate((h) => (location.hash = h), `${base}/maps/${await hash.getAttribute('data-id')}`);
  await expect(page.locator('main')).toContainText('__u32 → struct fixture_value', { timeout: 20_000 });
  // It says why it has no entries, and offers no live watch.
  await expect(page.locator('[data-read-error]')).toContainText('they exist only once the object is loaded');
  await expect(page.getByRole('button', { name: 'Watch live' })).toBeDisabled();
  await expect(page.locator('[data-entries]')).not.toContainText('live');
  await page.locator('[data-value-type]').click();
  await expect(page).toHaveURL(/\/btf\/\d+\?btf=1$/);
  await expect(page.locator('[data-btf-c]')).toContainText('struct fixture_value {', { timeout: 20_000 });
  await expect(page.locator('[data-btf-c]')).toContainText('char label[');
  // The BTF tab itself shows the object's own BTF (an object file has no vmlinux).
  await page.evaluate((h) => (location.hash = h), `${base}/btf`);
  await expect(page.getByRole('heading', { name: 'BTF object 1' })).toBeVisible();
  await page.getByLabel('BTF type name').fill('fixture_value');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page.locator('section.btf')).toContainText('struct fixture_value', { timeout: 20_000 });
});
