// `--key K` as users type it: an integer for keys of 1, 2, 4 or 8 bytes (little-endian,
// as the program stores it), the key's bytes like bpftool's `key 1 0 0 0` /
// `key hex 01 00 00 00`, or a string in double quotes as dumps print char arrays ("bash":
// a bpftrace map keyed by comm), its UTF-8 bytes padded with NULs to the key's size.

const INTEGER = /^(?:0x[0-9a-f]+|-?\d+)$/i;

export function parseMapKey(text: string, keySize: number): Uint8Array {
  const trimmed = text.trim();
  if (trimmed.length >= 2 && trimmed.startsWith('"') && trimmed.endsWith('"')) return stringKey(trimmed, keySize);
  const words = trimmed.split(/[\s,]+/).filter((w) => w.length > 0);
  if (words.length === 0) throw new Error('key: empty');
  if (words.length === 1 && INTEGER.test(words[0]!) && [1, 2, 4, 8].includes(keySize)) {
    return integerKey(BigInt(words[0]!), keySize);
  }
  const hex = words[0]!.toLowerCase() === 'hex';
  const bytes = hex ? words.slice(1) : words;
  if (bytes.length === 1 && hex && bytes[0]!.length === keySize * 2) return hexKey(bytes[0]!, keySize);
  if (bytes.length !== keySize) {
    const forms = `${[1, 2, 4, 8].includes(keySize) ? 'an integer (7), ' : ''}its ${keySize} bytes (${Array.from({ length: keySize }, (_, i) => (i ? 0 : 7)).join(' ')}), hex (hex ${Array.from({ length: keySize }, (_, i) => (i ? '00' : '07')).join(' ')}) or a string in double quotes ("bash")`;
    if (!hex && words.length === 1) throw new Error(`key: '${words[0]}' is not a key of this map; give ${forms}`);
    throw new Error(`key: ${bytes.length} byte${bytes.length === 1 ? '' : 's'} given, the map's keys are ${keySize} bytes; give ${forms}`);
  }
  const out = new Uint8Array(keySize);
  bytes.forEach((word, i) => {
    const value = hex ? Number.parseInt(word, 16) : Number(word);
    if (!/^(?:0x)?[0-9a-f]{1,3}$/i.test(word) || !Number.isInteger(value) || value < 0 || value > 255) {
      throw new Error(`key: bad byte '${word}'`);
    }
    out[i] = value;
  });
  return out;
}

function stringKey(quoted: string, keySize: number): Uint8Array {
  let text: string;
  try {
    text = JSON.parse(quoted) as string;
  } catch {
    throw new Error(`key: ${quoted}: not a string (write it as JSON writes one: "a\\"b")`);
  }
  const bytes = new TextEncoder().encode(text);
  if (bytes.length > keySize) throw new Error(`key: ${quoted} is ${bytes.length} bytes, the map's keys are ${keySize}`);
  const out = new Uint8Array(keySize);
  out.set(bytes);
  return out;
}

function integerKey(value: bigint, keySize: number): Uint8Array {
  const bits = BigInt(keySize * 8);
  if (value < -(1n << (bits - 1n)) || value >= 1n << bits) throw new Error(`key: ${value} does not fit in ${keySize} bytes`);
  const out = new Uint8Array(keySize);
  let v = BigInt.asUintN(keySize * 8, value);
  for (let i = 0; i < keySize; i++, v >>= 8n) out[i] = Number(v & 0xffn);
  return out;
}

function hexKey(word: string, keySize: number): Uint8Array {
  if (!/^[0-9a-f]+$/i.test(word)) throw new Error(`key: bad hex '${word}'`);
  const out = new Uint8Array(keySize);
  for (let i = 0; i < keySize; i++) out[i] = Number.parseInt(word.slice(i * 2, i * 2 + 2), 16);
  return out;
}
