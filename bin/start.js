#!/usr/bin/env node
// `npm start`: the desktop app where an Electron runtime is installed; otherwise
// one line saying so, then `bpfscope serve` and its URL.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const appRoot = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function electronBinary() {
  try {
    // The electron package exports the runtime's path, and throws where it was never downloaded.
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
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
  const cli = fileURLToPath(new URL('../out/node/main/cli.js', import.meta.url));
  if (!existsSync(cli)) {
    console.error('bpfscope: not built yet; run `npm run build` first');
    process.exit(1);
  }
  const { main } = await import(cli);
  process.exitCode = await main(['serve', ...process.argv.slice(2)]);
}
