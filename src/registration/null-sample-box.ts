/**
 * For the permutation test: a box of tile b with the same size as the pair's box but on the far
 * side of the tile (mirrored along the axis where the overlap is thinnest), so its content does not
 * overlap tile a's box. Registering a's box against it gives the correlation the search finds
 * between unrelated regions of this campaign. Undefined when the tile is too small for that.
 */
import { intersectBoxes, type Box3, type Vec3 } from '../geometry/box.js';

export function nullSampleBox(box: Box3, tileShape: Vec3): Box3 | undefined {
  const axes = [0, 1, 2].filter((ax) => tileShape[ax] > 1).sort((p, q) => box.size[p] / tileShape[p] - box.size[q] / tileShape[q]);
  for (const ax of axes) {
    const start: Vec3 = [...box.start];
    start[ax] = tileShape[ax] - box.start[ax] - box.size[ax];
    const moved: Box3 = { start, size: [...box.size] };
    if (!intersectBoxes(moved, box)) return moved;
  }
  return undefined;
}
