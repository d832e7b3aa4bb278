#!/usr/bin/env node
// The `bpfscope` command: runs the CLI bundle (npm run build, build/cli.config.ts).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = '../out/cli/cli.cjs';
if (!existsSync(new URL(cli, import.meta.url))) {
  console.error('bpfscope: not built yet; run `npm run build` first');
  process.exit(1);
}
// A closed pipe (`bpfscope … | head`) ends the output, not the process with a stack trace.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { main } = require(cli);
process.exitCode = await main(process.argv.slice(2));
