#!/usr/bin/env node
// The `bpfscope` command: runs the compiled CLI (npm run build).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../out/node/main/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('bpfscope: not built yet; run `npm run build` first');
  process.exit(1);
}
// A closed pipe (`bpfscope … | head`) ends the output, not the process with a stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = await import(cli);
process.exitCode = await main(process.argv.slice(2));
