import type { Box3, Vec3 } from '../geometry/box.js';
import { TiffFile } from './tiff-file.js';

export interface TiffVolume {
  shape: Vec3;
  read(box: Box3): Promise<Float32Array>;
}

const open = new Map<string, Promise<TiffFile>>();

/**
 * A multi-page TIFF stack as a volume that reads boxes (z, y, x): each box reads the pages it spans
 * and crops them. The file is opened once per process (every block job of a worker shares it).
 */
export async function tiffVolumeReader(file: string): Promise<TiffVolume> {
  let p = open.get(file);
  if (!p) {
    p = TiffFile.open(file);
    p.catch(() => open.delete(file));
    open.set(file, p);
  }
  const tiff = await p;
  const shape: Vec3 = [...tiff.shape];
  return {
    shape,
    read: async (box) => {
      const [d, h, w] = box.size;
      const W = shape[2];
      const out = new Float32Array(d * h * w);
      for (let z = 0; z < d; z++) {
        const plane = await tiff.readPage(box.start[0] + z);
        for (let y = 0; y < h; y++) {
          const from = (box.start[1] + y) * W + box.start[2];
          for (let x = 0; x < w; x++) out[(z * h + y) * w + x] = plane[from + x];
        }
      }
      return out;
    },
  };
}
