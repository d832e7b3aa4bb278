// bin/bpfscope.js run as users run it, by its `#!` line: Node starts without NODE_EXTRA_CA_CERTS
// (bpfscope makes no TLS connection; Node 20 parses the whole CA bundle before any JS runs).
// A bundle Node cannot read makes it warn on stderr at start: the warning shows whether Node saw
// the variable. A write error on its output ends it in one line, as a closed pipe ends it quietly.
import { spawnSync } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BIN } from '../../helpers/cli.js';

const UNREADABLE_BUNDLE = '/nonexistent/bpfscope-test-ca.pem';
const env = { ...process.env, NODE_EXTRA_CA_CERTS: UNREADABLE_BUNDLE };

describe('the bpfscope launcher', () => {
  it('starts Node without NODE_EXTRA_CA_CERTS, and passes every argument through', () => {
    const r = spawnSync(BIN, ['explain', 'bpf_map_lookup_elem'], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('bpf_map_lookup_elem');
  });

  it('is what keeps the variable from Node: started plainly, Node reads it', () => {
    const r = spawnSync(process.execPath, [BIN, 'explain', 'bpf_map_lookup_elem'], { env, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain(UNREADABLE_BUNDLE);
  });

  it('ends with one line and status 1 when its output cannot be written, not a stack trace', () => {
    const full = openSync('/dev/full', 'w');
    try {
      for (const args of [['explain', 'bpf_map_lookup_elem'], ['--help']]) {
        const r = spawnSync(BIN, args, { stdio: ['ignore', full, 'pipe'], encoding: 'utf8' });
        expect(r.status, args.join(' ')).toBe(1);
        expect(r.stderr, args.join(' ')).toMatch(/^bpfscope: cannot write the output: ENOSPC: no space left on device, write\n$/);
      }
    } finally {
      closeSync(full);
    }
  });
});
