// Re-indents compact JSON text the way bpftool's json_writer prints in pretty mode (its
// plain-text map dump of BTF maps): four spaces per level, each member on its own line,
// array elements joined by "," on the same line, closers on a new line unless empty.
// Works on the text, so 64-bit integers keep every digit. With `plain`, hex strings lose
// their quotes, as btf_dumper prints bitfields, 128-bit integers and pointers in text mode
// (a char array that happens to read "0x1f" is unquoted too: the text cannot tell them apart).

const MAX_DEPTH = 4096;
const HEX_STRING = /^"0x[0-9a-f]+"$/;

/** `depth`: nesting of the surrounding writer (bpftool's dump array is depth 1 for entries). */
export function jsonwPretty(compact: string, depth = 0, plain = false): string {
  let out = '';
  let level = depth;
  /** What json_writer calls sep: ',' once something was written at this level. */
  let sep = '';
  const eol = (): void => {
    out += '\n' + '    '.repeat(level);
  };
  const stack: string[] = [];
  for (let i = 0; i < compact.length; i++) {
    const c = compact[i]!;
    if (c === '"') {
      let j = i + 1;
      while (j < compact.length && compact[j] !== '"') j += compact[j] === '\\' ? 2 : 1;
      const str = compact.slice(i, j + 1);
      i = j;
      if (compact[i + 1] === ':' && stack[stack.length - 1] === '{') {
        out += sep;
        eol();
        out += str + ': ';
        sep = '';
        i++;
      } else {
        out += sep + (plain && HEX_STRING.test(str) ? str.slice(1, -1) : str);
        sep = ',';
      }
    } else if (c === '{' || c === '[') {
      if (stack.length >= MAX_DEPTH) throw new Error('json nested too deep');
      out += sep + c;
      stack.push(c);
      level++;
      sep = '';
    } else if (c === '}' || c === ']') {
      stack.pop();
      level--;
      if (sep !== '') eol();
      out += c;
      sep = ',';
    } else if (c === ',') {
      continue;
    } else {
      let j = i;
      while (j < compact.length && !',]}'.includes(compact[j]!)) j++;
      out += sep + compact.slice(i, j);
      sep = ',';
      i = j - 1;
    }
  }
  return out;
}
