import { inflateSync } from 'node:zlib';

export const PNG_SIGNATURE_CHECK = Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]);

/**
 * Decode an 8-bit RGB/RGBA PNG (as Chromium writes screenshots) and measure how much of it is
 * drawn: the fraction of pixels not near-white, and of pixels with clear colour (not grey).
 */
export function decodeScreenshotStats(png: Buffer): { width: number; height: number; nonWhiteFraction: number; colouredFraction: number } {
  let off = 8;
  let width = 0, height = 0, colorType = 0, bitDepth = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('ascii', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      bitDepth = data[8];
      colorType = data[9];
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  if (bitDepth !== 8 || (colorType !== 2 && colorType !== 6)) throw new Error(`unsupported PNG: depth ${bitDepth}, colour type ${colorType}`);
  const bpp = colorType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const cur = Buffer.alloc(stride);
  const prev = Buffer.alloc(stride);
  let nonWhite = 0, coloured = 0;
  for (let y = 0; y < height; y++) {
    const ft = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let i = 0; i < stride; i++) {
      const a = i >= bpp ? cur[i - bpp] : 0, b = prev[i], c = i >= bpp ? prev[i - bpp] : 0;
      let v = line[i];
      if (ft === 1) v += a;
      else if (ft === 2) v += b;
      else if (ft === 3) v += (a + b) >> 1;
      else if (ft === 4) {
        const p = a + b - c, pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      cur[i] = v & 255;
    }
    for (let x = 0; x < width; x++) {
      const r = cur[x * bpp], g = cur[x * bpp + 1], bl = cur[x * bpp + 2];
      if (r < 235 || g < 235 || bl < 235) nonWhite++;
      if (Math.max(r, g, bl) - Math.min(r, g, bl) > 40) coloured++;
    }
    cur.copy(prev);
  }
  return { width, height, nonWhiteFraction: nonWhite / (width * height), colouredFraction: coloured / (width * height) };
}
