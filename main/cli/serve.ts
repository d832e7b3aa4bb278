// `serve`: the dashboard for a browser (main/server), as a CLI verb.
import { serveCommand as runServeCommand } from '../server/serve-command.js';
import type { Command } from './context.js';

export const serveCommand: Command = (ctx) => runServeCommand(ctx.flags, ctx.io);
