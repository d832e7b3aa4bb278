// bpfscope's version, from its package.json, for `serve`'s versions answer and the MCP server.
import { readFileSync } from 'node:fs';

/** From out/node/main/server/ (tsc) or out/cli/ (the CLI bundle). */
const PACKAGE_JSON = ['../../../../package.json', '../../package.json'];

export function appVersion(): string {
  for (const path of PACKAGE_JSON) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(path, import.meta.url), 'utf8')) as { name?: unknown; version?: unknown };
      if (pkg.name === 'bpfscope' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not this layout: try the next.
    }
  }
  return '0.0.0';
}
