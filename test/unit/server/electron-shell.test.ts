// The parts of the Electron shell that are plain logic: which IPC senders are
// believed, which URLs are ours, and remembered window bounds.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { appUrlMatcher, trustedSender } from '../../../main/electron/sender-check.js';
import { DEFAULT_BOUNDS, loadBounds, saveBounds } from '../../../main/electron/window-state.js';

const page = pathToFileURL('/opt/bpfscope/resources/app.asar/out/renderer/index.html');
const isAppUrl = appUrlMatcher(page);

function event(frameUrl: string, options: { subframe?: boolean; contents?: object } = {}) {
  const mainFrame = { url: frameUrl };
  const sender = { mainFrame, ...options.contents };
  return { sender, senderFrame: options.subframe ? { url: frameUrl } : mainFrame } as never;
}

describe('electron shell', () => {
  it('matches only our own page as the app URL', () => {
    expect(isAppUrl(page.href)).toBe(true);
    expect(isAppUrl(`${page.href}#programs`)).toBe(true);
    expect(isAppUrl('file:///etc/passwd')).toBe(false);
    expect(isAppUrl('https://example.com/')).toBe(false);
    expect(isAppUrl('not a url')).toBe(false);
    const dev = appUrlMatcher(new URL('http://localhost:5173/'));
    expect(dev('http://localhost:5173/src/App.svelte')).toBe(true);
    expect(dev('http://localhost:5174/')).toBe(false);
  });

  it('believes IPC only from the top frame of our window showing our page', () => {
    let ours: object | undefined;
    const check = trustedSender(isAppUrl, (contents) => contents === ours);
    const good = event(page.href) as { sender: object };
    ours = good.sender;
    expect(check(good as never)).toBe(true);
    const subframe = event(page.href, { subframe: true }) as { sender: object };
    ours = subframe.sender;
    expect(check(subframe as never)).toBe(false);
    const elsewhere = event('https://evil.example/') as { sender: object };
    ours = elsewhere.sender;
    expect(check(elsewhere as never)).toBe(false);
    expect(check(event(page.href))).toBe(false);
  });

  it('remembers window bounds, and forgets positions no display shows', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'bounds-')), 'window-bounds.json');
    const display = { x: 0, y: 0, width: 1920, height: 1080 };
    expect(loadBounds(file, [display])).toEqual(DEFAULT_BOUNDS);
    saveBounds(file, { x: 100, y: 50, width: 1000, height: 700, maximized: false });
    expect(loadBounds(file, [display])).toEqual({ x: 100, y: 50, width: 1000, height: 700, maximized: false });
    expect(loadBounds(file, [{ x: 5000, y: 0, width: 800, height: 600 }])).toEqual({ width: 1000, height: 700 });
    writeFileSync(file, '{"width": 10, "height": "tall"}');
    expect(loadBounds(file, [display])).toEqual(DEFAULT_BOUNDS);
  });
});
