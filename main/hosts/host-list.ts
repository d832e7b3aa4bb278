// `--host a,b,c`: the host specs a command names (kept apart from open-host.ts, so the CLI
// reads them without loading the hosts).

export const LOCAL_HOST = 'local';

/** Splits `--host a,b,c`; empty or absent means the local host. */
export function parseHostList(value: string | undefined): string[] {
  const specs = (value ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
  return specs.length > 0 ? [...new Set(specs)] : [LOCAL_HOST];
}
