/** Where the object lies in an image, in image pixels: a box, or a point when lo equals hi. */
export interface ImageMark {
  lo: [number, number];
  hi: [number, number];
}

const MARK = [255, 64, 32] as const;

/**
 * A greyscale image as RGB with the object outlined (its (y, x) box) or, for a point, a small
 * cross, so the row's object is the one the eye finds; the grey pixels keep their values.
 */
export function markObject(gray: Uint8Array, width: number, height: number, mark: ImageMark): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < gray.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = gray[i];
  const put = (y: number, x: number) => {
    if (y < 0 || x < 0 || y >= height || x >= width) return;
    rgb.set(MARK, 3 * (y * width + x));
  };
  const [y0, x0] = mark.lo.map(Math.round), [y1, x1] = mark.hi.map(Math.round);
  if (y1 - y0 < 2 && x1 - x0 < 2) {
    const cy = Math.round((y0 + y1) / 2), cx = Math.round((x0 + x1) / 2);
    // A cross with a gap at its centre, so the point itself stays visible.
    for (let d = 3; d <= 8; d++) {
      put(cy - d, cx);
      put(cy + d, cx);
      put(cy, cx - d);
      put(cy, cx + d);
    }
    return rgb;
  }
  for (let x = x0; x <= x1; x++) {
    put(y0, x);
    put(y1, x);
  }
  for (let y = y0; y <= y1; y++) {
    put(y, x0);
    put(y, x1);
  }
  return rgb;
}
