// Doyensec's electronegativity over the Electron shell and its preload: no
// high-severity finding may appear. (Medium "review the preload" is expected:
// the preload exists, and exposes one function per API method.)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CLI = createRequire(import.meta.url).resolve('@doyensec/electronegativity/dist/index.js');

interface Finding {
  check: string;
  severity: string;
  file: string;
  location: string;
}

function scan(input: string): Finding[] {
  const report = join(mkdtempSync(join(tmpdir(), 'electronegativity-')), 'report.csv');
  execFileSync(process.execPath, [CLI, '-i', input, '-e', '45.5.0', '-r', '-v', 'false', '-o', report], { cwd: ROOT, stdio: 'ignore', timeout: 120_000 });
  return readFileSync(report, 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [check = '', severity = '', , file = '', location = ''] = line.split(',').map((cell) => cell.replace(/^"|"$/g, ''));
      return { check, severity, file, location };
    });
}

describe('electronegativity', () => {
  it('finds nothing of high severity in main/electron (shell and preload)', { timeout: 180_000 }, () => {
    const findings = scan('main/electron');
    expect(findings.filter((f) => f.severity === 'HIGH')).toEqual([]);
    // Only the expected review items remain.
    expect(new Set(findings.map((f) => f.check))).toEqual(new Set(['PRELOAD_JS_CHECK', 'CSP_GLOBAL_CHECK']));
  });
});
