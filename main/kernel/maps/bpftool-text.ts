// bpftool's plain-text map dump for maps without BTF (map.c print_entry_plain, fprint_hex).

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Bytes as bpftool's fprint_hex: `sep` between bytes, two spaces every 8, a newline every 16. */
export function fprintHex(bytes: Uint8Array, sep = ' '): string {
  let out = '';
  for (let i = 0; i < bytes.byteLength; i++) {
    if (i === 0) out += HEX[bytes[i]!];
    else if (i % 16 === 0) out += '\n' + HEX[bytes[i]!];
    else if (i % 8 === 0) out += '  ' + HEX[bytes[i]!];
    else out += sep + HEX[bytes[i]!];
  }
  return out;
}

/** One entry; `values` holds one buffer per possible CPU for per-CPU maps. */
export function plainEntry(key: Uint8Array, values: readonly Uint8Array[], perCpu: boolean): string {
  if (!perCpu) {
    const value = values[0] ?? new Uint8Array(0);
    const breakNames = key.byteLength > 16 || value.byteLength > 16;
    const singleLine = key.byteLength + value.byteLength <= 24 && !breakNames;
    return `key:${breakNames ? '\n' : ' '}${fprintHex(key)}${singleLine ? '  ' : '\n'}value:${breakNames ? '\n' : ' '}${fprintHex(value)}\n`;
  }
  let out = `key:\n${fprintHex(key)}\n`;
  values.forEach((value, cpu) => {
    out += `value (CPU ${String(cpu).padStart(2, '0')}):${value.byteLength > 16 ? '\n' : ' '}${fprintHex(value)}\n`;
  });
  return out;
}

export function plainFooter(count: number): string {
  return `Found ${count} element${count === 1 ? '' : 's'}\n`;
}
