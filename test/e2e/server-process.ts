// Runs `serve` as a child process and hands back its tokenized URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServeProcess {
  url: string;
  origin: string;
  stop(): Promise<void>;
}

const URL_LINE = /serving the dashboard at (http:\/\/\S+)/;

/** `command`: the script and its verb, e.g. ['bin/bpfscope.js', 'serve'] once the CLI maps `serve`;
 * `env`: the server's environment (e.g. a HOME holding .ssh/config). */
export function startServe(command: string[] = ['test/e2e/serve-server.mjs'], env: NodeJS.ProcessEnv = process.env): Promise<ServeProcess> {
  // `node path/to/script`, not npx, so the pid we hold is the server's own.
  const child: ChildProcess = spawn(process.execPath, [...command, '--port', '0'], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let started = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`serve printed no URL within 30 s:\n${output}`)), 30_000);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.on('exit', (code) => fail(new Error(`serve exited with ${code}:\n${output}`)));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const match = URL_LINE.exec(output);
      if (started || !match?.[1]) return;
      started = true;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const url = match[1];
      resolve({
        url,
        origin: new URL(url).origin,
        stop: () =>
          new Promise<void>((done, failStop) => {
            if (child.exitCode !== null) return done();
            const killer = setTimeout(() => {
              child.kill('SIGKILL');
              failStop(new Error(`serve did not stop within 10 s of SIGTERM:\n${output}`));
            }, 10_000);
            child.once('exit', () => {
              clearTimeout(killer);
              done();
            });
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
