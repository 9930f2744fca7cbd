/**
 * TIFF LZW decoding (TIFF 6.0 specification, section 13): MSB-first codes of 9 to 12 bits,
 * Clear = 256, EndOfInformation = 257, and the "early change" that widens codes one entry before
 * the table fills (what libtiff writes).
 */
export function decodeLzw(src: Uint8Array, expected: number): Uint8Array {
  const out = new Uint8Array(expected);
  const prefix = new Int32Array(4096);
  const suffix = new Uint8Array(4096);
  const first = new Uint8Array(4096);
  const length = new Int32Array(4096);
  for (let i = 0; i < 256; i++) {
    prefix[i] = -1;
    suffix[i] = i;
    first[i] = i;
    length[i] = 1;
  }
  let op = 0;
  let next = 258;
  let width = 9;
  let old = -1;
  let bitPos = 0;
  const totalBits = src.length * 8;
  const emit = (code: number): void => {
    const len = length[code];
    let end = op + len;
    if (end > expected) end = expected; // a final row padded past the strip: drop the excess
    let c = code;
    for (let p = op + len - 1; p >= op; p--) {
      if (p < end) out[p] = suffix[c];
      c = prefix[c];
    }
    op = end;
  };
  while (bitPos + width <= totalBits && op < expected) {
    // Read `width` bits MSB-first; at most 12 bits span at most 3 bytes.
    const byte = bitPos >>> 3;
    const word = (src[byte] << 16) | ((src[byte + 1] ?? 0) << 8) | (src[byte + 2] ?? 0);
    const code = (word >>> (24 - (bitPos & 7) - width)) & ((1 << width) - 1);
    bitPos += width;
    if (code === 257) break;
    if (code === 256) {
      next = 258;
      width = 9;
      old = -1;
      continue;
    }
    if (old === -1) {
      if (code > 255) throw new Error(`LZW stream starts with code ${code}`);
      emit(code);
      old = code;
      continue;
    }
    let firstByte: number;
    if (code < next) {
      emit(code);
      firstByte = first[code];
    } else if (code === next) {
      firstByte = first[old];
      emit(old);
      if (op < expected) out[op++] = firstByte;
    } else {
      throw new Error(`LZW code ${code} beyond the table (${next})`);
    }
    if (next < 4096) {
      prefix[next] = old;
      suffix[next] = firstByte;
      first[next] = first[old];
      length[next] = length[old] + 1;
      next++;
      if (next >= (1 << width) - 1 && width < 12) width++;
    }
    old = code;
  }
  return out.subarray(0, op);
}
