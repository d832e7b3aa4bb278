// electron-builder cannot run here (it downloads the Electron runtime), so its
// config is checked against what the build actually produces.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');

interface ExtraResource {
  from: string;
  to: string;
}

const config = JSON.parse(read('build/electron-builder.json')) as {
  appId: string;
  productName: string;
  executableName: string;
  files: string[];
  asarUnpack: string[];
  extraResources: ExtraResource[];
  linux: { target: { target: string; arch: string[] }[]; icon: string; desktop: { entry: Record<string, string> } };
  deb: { fpm: string[] };
};
const pkg = JSON.parse(read('package.json')) as { main: string; scripts: Record<string, string> };
const electronVite = read('electron.config.ts');
const gyp = read('native/binding.gyp');
const makefile = read('native/Makefile');

/** Paths the build writes: electron-vite outDirs, the node-gyp addon, the agent Makefile targets. */
function producedByBuild(path: string): boolean {
  for (const outDir of ['out/main', 'out/preload', 'out/renderer']) {
    if (path === outDir || path.startsWith(`${outDir}/`)) return electronVite.includes(`outDir: '${outDir}'`);
  }
  const addon = /^native\/build\/Release\/(\w+)\.node$/.exec(path);
  if (addon) return gyp.includes(`"target_name": "${addon[1]}"`);
  const agent = /^native\/build\/(agent-\w+)$/.exec(path);
  if (agent) return new RegExp(`^build/${agent[1]}:`, 'm').test(makefile);
  return false;
}

function pngSize(path: string): [number, number] {
  const bytes = readFileSync(join(ROOT, path));
  expect(bytes.subarray(1, 4).toString()).toBe('PNG');
  return [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
}

describe('electron-builder config', () => {
  it('builds AppImage and deb for x64 and arm64', () => {
    expect(config.linux.target).toEqual([
      { target: 'AppImage', arch: ['x64', 'arm64'] },
      { target: 'deb', arch: ['x64', 'arm64'] },
    ]);
    expect(config.appId).toMatch(/^[a-z]+(\.[a-z0-9-]+){2,}$/);
  });

  it('packs only files that exist or that the build produces, including the entry point', () => {
    const included = config.files.filter((f) => !f.startsWith('!'));
    for (const pattern of included) {
      const base = pattern.replace(/\/\*\*$/, '');
      expect(existsSync(join(ROOT, base)) || producedByBuild(base), `${pattern} is neither in the tree nor built`).toBe(true);
    }
    expect(included.some((f) => pkg.main.startsWith(f.replace(/\*\*$/, '')))).toBe(true);
    expect(pkg.main).toBe('out/main/index.js');
    expect(pkg.scripts.build).toContain('build:app');
  });

  it('unpacks the native addon from the asar, where dlopen can reach it', () => {
    expect(config.asarUnpack).toContain('native/build/Release/*.node');
    expect(config.files).toContain('native/build/Release/bpfscope.node');
    // The addon loader looks exactly there in a packaged app.
    expect(read('main/hosts/native-addon.ts')).toContain('app.asar.unpacked/native/build/Release/bpfscope.node');
  });

  it('ships both agents (any desktop may reach either kind of remote host) and the polkit policy', () => {
    const froms = config.extraResources.map((r) => r.from);
    expect(froms).toEqual(expect.arrayContaining(['native/build/agent-x86_64', 'native/build/agent-aarch64']));
    for (const { from } of config.extraResources) {
      expect(existsSync(join(ROOT, from)) || producedByBuild(from), `${from} is neither in the tree nor built`).toBe(true);
    }
  });

  it('has a polkit policy whose exec paths are where the deb installs the agents', () => {
    const policy = read('build/polkit/io.github.bpfscope.policy');
    const paths = [...policy.matchAll(/key="org\.freedesktop\.policykit\.exec\.path">([^<]+)</g)].map((m) => m[1]);
    const agents = config.extraResources.filter((r) => r.from.includes('/agent-'));
    expect(paths.sort()).toEqual(agents.map((r) => `/opt/${config.productName}/resources/${r.to}`).sort());
    expect(policy).toContain('<allow_active>auth_admin_keep</allow_active>');
    expect(policy).not.toMatch(/<allow_any>yes/);
    const [source, target] = config.deb.fpm[0]!.split('=');
    expect(existsSync(join(ROOT, source!))).toBe(true);
    expect(target).toBe('/usr/share/polkit-1/actions/io.github.bpfscope.policy');
  });

  it('has square PNG icons at the sizes Linux desktops ask for', () => {
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      expect(pngSize(`${config.linux.icon}/${size}x${size}.png`)).toEqual([size, size]);
    }
  });

  it('describes the app in its desktop entry the same way as build/bpfscope.desktop', () => {
    const entry = Object.fromEntries(
      read('build/bpfscope.desktop')
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    for (const [key, value] of Object.entries(config.linux.desktop.entry)) expect(entry[key], key).toBe(value);
    expect(entry.Exec).toMatch(new RegExp(`^${config.executableName}\\b`));
  });
});
