// A long-running `bpfscope` command (metrics, serve, mcp's peers) as a child process: started
// with `node bin/bpfscope.js` so the pid held is its own, ready once its output matches.
import { spawn } from 'node:child_process';
import { BIN } from './cli.js';

export interface BpfscopeProcess {
  pid: number;
  /** The ready pattern's match. */
  ready: RegExpExecArray;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** SIGTERM, then the exit code (SIGKILL and a rejection after 10 s). */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  /** Output that says the command is ready, e.g. its URL line. */
  ready: RegExp;
  /** Words before `node` (e.g. `env HOME=…`). */
  prefix?: string[];
  timeoutMs?: number;
}

export function startBpfscope(args: string[], options: StartOptions): Promise<BpfscopeProcess> {
  const argv = [...(options.prefix ?? []), process.execPath, BIN, ...args];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`bpfscope ${args.join(' ')}: not ready within ${options.timeoutMs ?? 60_000} ms:\n${text}`));
    }, options.timeoutMs ?? 60_000);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`bpfscope ${args.join(' ')} exited with ${code} before it was ready:\n${text}`));
    });
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      const ready = options.ready.exec(text);
      if (!ready) return;
      child.stdout.off('data', onData);
      child.stderr.off('data', onData);
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.stderr.on('data', (c: Buffer) => (text += c.toString()));
      clearTimeout(timer);
      resolve({
        pid: child.pid!,
        ready,
        output: () => text,
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
          const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
          child.kill('SIGTERM');
          const code = await exited;
          clearTimeout(killer);
          if (child.signalCode === 'SIGKILL') throw new Error(`bpfscope ${args.join(' ')} did not stop within 10 s of SIGTERM:\n${text}`);
          return code;
        },
      });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
}
