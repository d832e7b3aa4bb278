// The sidebar's ~/.ssh/config aliases: read from a real config file in a
// temporary HOME, through the same call the service answers.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSshConfigHosts, sshConfigHosts } from '../../../main/hosts/ssh-config-hosts.js';
import { createHostService } from '../../../main/server/host-service.js';

const CONFIG = `# work machines
Host web1 web2
  HostName %h.example.net
  User ops

Host db
  HostName 10.0.0.7
  Port 2222

Host *.internal !bastion ?x
  User nobody

Host bad-port
  Port 99999

Host db
  User later

Match host web1
  Port 2200

Host *
  User fallback
`;

describe('ssh config hosts', () => {
  let home: string;
  let savedHome: string | undefined;
  beforeEach(() => {
    home = mkdtempSync(join(tmpdir(), 'bpfscope-sshcfg-'));
    savedHome = process.env.HOME;
  });
  afterEach(() => {
    process.env.HOME = savedHome;
    rmSync(home, { recursive: true, force: true });
  });

  it('lists each non-wildcard alias once, in file order, with where ssh would connect', () => {
    expect(sshConfigHosts(CONFIG, home)).toEqual([
      { alias: 'web1', target: 'ops@web1.example.net:22' },
      { alias: 'web2', target: 'ops@web2.example.net:22' },
      { alias: 'db', target: 'later@10.0.0.7:2222' },
      { alias: 'bad-port' },
    ]);
  });

  it('reads ~/.ssh/config of the home given, and answers none when there is no file', () => {
    expect(readSshConfigHosts(home)).toEqual([]);
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'config'), 'Host lab\n  HostName 192.0.2.4\n  User root\n');
    expect(readSshConfigHosts(home)).toEqual([{ alias: 'lab', target: 'root@192.0.2.4:22' }]);
  });

  it('is answered by the service from $HOME', async () => {
    mkdirSync(join(home, '.ssh'));
    writeFileSync(join(home, '.ssh', 'config'), CONFIG);
    process.env.HOME = home;
    const service = createHostService({ hosts: {} });
    try {
      const aliases = await service.listSshConfigHosts({}, new AbortController().signal);
      expect(aliases.map((h) => h.alias)).toEqual(['web1', 'web2', 'db', 'bad-port']);
    } finally {
      await service.close();
    }
  });
});
