// Questions the CLI asks on the terminal: accepting an unknown host key and
// key passphrases. Without a terminal nothing is asked and the answer is no.
import { createInterface } from 'node:readline';
import type { UnknownHostKey } from '../hosts/ssh-host-keys.js';

function ask(question: string, hidden: boolean): Promise<string | null> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return Promise.resolve(null);
  return new Promise((resolve) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    if (hidden) {
      // Echo nothing of what is typed after the question.
      const write = (rl as unknown as { _writeToOutput: (s: string) => void });
      write._writeToOutput = (s: string) => {
        if (s.includes(question)) process.stderr.write(s);
      };
    }
    rl.question(question, (answer) => {
      rl.close();
      if (hidden) process.stderr.write('\n');
      resolve(answer);
    });
  });
}

export async function confirmHostKey(key: UnknownHostKey, acceptNew: boolean): Promise<boolean> {
  const where = key.port === 22 ? key.host : `[${key.host}]:${key.port}`;
  if (acceptNew) {
    process.stderr.write(`bpfscope: recording new ${key.keyType} key for ${where} (${key.fingerprint})\n`);
    return true;
  }
  const answer = await ask(
    `The authenticity of host '${where}' can't be established.\n${key.keyType} key fingerprint is ${key.fingerprint}.\nAccept it and continue connecting (yes/no)? `,
    false,
  );
  return answer?.trim().toLowerCase() === 'yes';
}

export function askPassphrase(file: string): Promise<string | null> {
  return ask(`Enter passphrase for key '${file}': `, true);
}
