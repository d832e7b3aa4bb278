// load_time is nanoseconds since boot; bpftool shows it as wall-clock time (print_boot_time).

const NS_PER_S = 1_000_000_000n;

/**
 * Seconds since the epoch at which a program was loaded, computed as bpftool does:
 * floor((realtime − boottime + load_time) / 1e9). Without the clock offset, seconds since boot.
 */
export function loadedAtSeconds(loadTimeNs: bigint, bootToWallNs: bigint | undefined): bigint {
  const ns = bootToWallNs === undefined ? loadTimeNs : bootToWallNs + loadTimeNs;
  return ns >= 0n ? ns / NS_PER_S : -((-ns + NS_PER_S - 1n) / NS_PER_S);
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** strftime("%FT%T%z") of an epoch second at a UTC offset, e.g. 2026-11-26T01:49:38+0000. */
export function formatLocalTime(epochSeconds: number, utcOffsetSeconds: number): string {
  const d = new Date((epochSeconds + utcOffsetSeconds) * 1000);
  const sign = utcOffsetSeconds < 0 ? '-' : '+';
  const abs = Math.abs(utcOffsetSeconds);
  const zone = `${sign}${pad(Math.floor(abs / 3600))}${pad(Math.floor((abs % 3600) / 60))}`;
  const date = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${date}T${time}${zone}`;
}
