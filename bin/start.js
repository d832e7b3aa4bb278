#!/usr/bin/env node
// `npm start`: the desktop app where an Electron runtime is installed; otherwise
// one line saying so, then `bpfscope serve` and its URL.
// CommonJS like bin/bpfscope.js (bin/package.json).
const { spawn, spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const appRoot = join(__dirname, '..');

/**
 * The Electron runtime's path, or undefined. `require('electron')` downloads the runtime on first
 * use and throws where it cannot; it runs in a child so its download chatter stays out of our one line.
 */
function electronBinary() {
  const probe = spawnSync(process.execPath, ['--input-type=commonjs', '-e', "process.stdout.write(require('electron'))"], {
    cwd: appRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 10 * 60_000,
  });
  const path = probe.status === 0 ? probe.stdout.trim() : '';
  return path && existsSync(path) ? path : undefined;
}

const electron = electronBinary();
if (electron) {
  const args = [appRoot, ...process.argv.slice(2)];
  // Chromium refuses to run as root with its sandbox on; say what is given up.
  if (process.getuid?.() === 0) {
    console.error('bpfscope: running as root: Chromium sandbox off (--no-sandbox); prefer a normal user, the agent gets privilege through pkexec');
    args.push('--no-sandbox');
  }
  const child = spawn(electron, args, { stdio: 'inherit' });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  console.log('bpfscope: no Electron runtime installed here; serving the dashboard in the browser instead');
  const cli = join(__dirname, '../out/cli/cli.cjs');
  if (!existsSync(cli)) {
    console.error('bpfscope: not built yet; run `npm run build` first');
    process.exit(1);
  }
  require(cli)
    .main(['serve', ...process.argv.slice(2)])
    .then((code) => {
      process.exitCode = code;
    });
}
