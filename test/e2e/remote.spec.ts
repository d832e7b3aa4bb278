// The dashboard against a remote host over the test sshd: the host is added in the
// sidebar, its unknown host key is refused once and then accepted explicitly (and
// remembered in known_hosts), and its programs and a map's typed values are browsed
// exactly as the local host's.
import { expect, test, type Page } from '@playwright/test';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureValueFor, startFixtures, type LoadedFixtures } from '../helpers/fixtures.js';
import { startSshd, type TestSshd } from '../helpers/sshd.js';
import { agentTestProblem } from '../remote/requirements.js';
import { REPO_ROOT, startServe, type ServeProcess } from './server-process.js';

const problem = agentTestProblem(true);
let sshd: TestSshd;
let fixtures: LoadedFixtures;
let server: ServeProcess;
let home: string;

test.describe.configure({ mode: 'serial' });
test.skip(problem !== undefined, `remote dashboard: ${problem}`);

test.beforeAll(async () => {
  test.setTimeout(180_000);
  sshd = await startSshd();
  fixtures = await startFixtures({ only: ['maps', 'tracing'] });
  // A home of its own: ~/.ssh/config names the sshd `box` (and `box2`), known_hosts is empty.
  home = join(sshd.dir, 'home');
  mkdirSync(join(home, '.ssh'), { recursive: true });
  writeFileSync(join(home, '.ssh', 'config'), sshd.sshConfig('box') + sshd.sshConfig('box2'));
  writeFileSync(join(home, '.ssh', 'known_hosts'), '');
  const { SSH_AUTH_SOCK: _agent, ...env } = process.env;
  server = await startServe(['test/e2e/serve-server.mjs'], { ...env, HOME: home });
});

test.afterAll(async () => {
  await server?.stop();
  await fixtures?.stop();
  await sshd?.stop();
});

async function shot(page: Page, name: string): Promise<void> {
  const path = join(REPO_ROOT, 'test-results', `${name}.png`);
  await page.screenshot({ path });
  mkdirSync(join(REPO_ROOT, 'docs', 'screenshots'), { recursive: true });
  copyFileSync(path, join(REPO_ROOT, 'docs', 'screenshots', `${name}.png`));
}

async function addHost(page: Page, alias: string): Promise<void> {
  await page.getByLabel('Host to add').fill(alias);
  await page.getByRole('button', { name: 'Add host' }).click();
}

test('an unknown host key refused: the host fails and nothing is remembered', async ({ page }) => {
  await page.goto(server.url);
  const sidebar = page.getByRole('complementary', { name: 'Hosts' });
  await addHost(page, 'box2');
  const question = sidebar.getByRole('alertdialog', { name: 'Unknown host key for box2' });
  await expect(question).toBeVisible({ timeout: 30_000 });
  await expect(question).toContainText('SHA256:');
  await question.getByRole('button', { name: 'Refuse' }).click();
  const entry = sidebar.locator('li', { hasText: 'box2' });
  await expect(entry).toHaveAttribute('data-status', 'failed', { timeout: 20_000 });
  expect(readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8')).toBe('');
  await entry.getByRole('button', { name: 'Remove' }).click();
  await expect(sidebar.locator('li[data-status]', { hasText: 'box2' })).toHaveCount(0);
  // Removed, it is offered again as the ~/.ssh/config alias it is.
  await expect(sidebar.locator('[data-ssh-alias="box2"]')).toHaveCount(1);
});

test('a host added in the sidebar, its key accepted, its programs and map values browsed', async ({ page }) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1400, height: 900 });
  await page.goto(server.url);
  const sidebar = page.getByRole('complementary', { name: 'Hosts' });
  await addHost(page, 'box');
  const question = sidebar.getByRole('alertdialog', { name: 'Unknown host key for box' });
  await expect(question).toBeVisible({ timeout: 30_000 });
  await expect(question).toContainText(`127.0.0.1:${sshd.port}`);
  // Not connected yet: the page says what it waits for, not zero programs.
  await expect(page.locator('main [data-state-note="loading"]')).toHaveText("Waiting for your decision on box's SSH host key: accept or refuse it in the sidebar.");
  await expect(page.locator('[data-count="programs"]')).toHaveCount(0);
  await shot(page, 'remote-host-key');
  await question.getByRole('button', { name: 'Accept and remember' }).click();
  const entry = sidebar.getByRole('listitem').filter({ has: page.getByRole('link', { name: 'box', exact: true }) });
  await expect(entry).toContainText(/connected as root/, { timeout: 60_000 });
  await expect(entry).toContainText('kernel');
  // Accepting wrote the key: the next connection needs no question.
  expect(readFileSync(join(home, '.ssh', 'known_hosts'), 'utf8')).toContain(sshd.hostPublicKey.split(' ')[1]!);
  await expect(page).toHaveURL(/#\/box\/overview/);
  await expect(page.locator('[data-count="programs"]')).not.toHaveText('0', { timeout: 30_000 });

  await page.getByRole('link', { name: 'Programs', exact: true }).click();
  const grid = page.getByRole('grid', { name: 'Programs' });
  await expect(grid).toBeVisible({ timeout: 30_000 });
  await page.getByLabel('Filter programs').fill('count_getpid');
  const row = grid.locator(`[data-id="${fixtures.program('count_getpid').id}"]`);
  await expect(row).toContainText('count_getpid', { timeout: 20_000 });
  await shot(page, 'remote-programs');

  const map = fixtures.map('hash_map');
  await page.evaluate((id) => (location.hash = `#/box/maps/${id}`), map.id);
  await expect(page.locator('main h2')).toContainText('hash_map', { timeout: 20_000 });
  const rows = page.locator('[data-map-rows] [data-key]');
  await expect(rows.first()).toBeVisible({ timeout: 30_000 });
  await expect(page.locator('[data-entries]')).toContainText('100 entries');
  // The typed value the loader stored under that key, read over SSH and decoded with BTF.
  const key = Number(await rows.first().locator('.key').innerText());
  const value = fixtureValueFor(key);
  await expect(rows.first()).toContainText(`index=${key}, color="${value.color}", origin={x=${key}, y=${-key}}`);
  await rows.first().click();
  await expect(page.getByRole('tree')).toContainText(value.label);
  await expect(page.getByRole('tree')).toContainText(String(value.counter));
  await shot(page, 'remote-map');

  // The connection drops (sshd and its sessions killed): the values stay, marked as from before;
  // back when the host is reachable again.
  sshd.kill();
  await expect(page.locator('[data-host-stale]')).toContainText('Disconnected from box', { timeout: 30_000 });
  await expect(rows.first()).toContainText(`index=${key}`);
  await sshd.restart();
  await expect(page.locator('[data-host-stale]')).toHaveCount(0, { timeout: 60_000 });
  await expect(entry).toContainText(/connected as root/);
});
