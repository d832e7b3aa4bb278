#!/usr/bin/env node
// The `bpfscope` command: runs the compiled CLI (npm run build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/node/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('bpfscope: not built yet; run `npm run build` first');
  process.exit(1);
}
const { main } = await import(cli);
process.exitCode = await main(process.argv.slice(2));
