#!/usr/bin/env node
// Starts `serve` from the compiled tree (npm run build:node) for the browser
// specs, the same code path as `bpfscope serve`. Arguments: --port N [--bind ADDR].
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, bind: { type: 'string' } } });
const { serveCommand } = await import('../../out/node/main/server/serve-command.js');
process.exitCode = await serveCommand(values, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
