import type { ComponentRow } from './component-measures.js';
import { attrText, type ImageFrame } from '../graph/skeleton-attributes.js';

const COMPONENT_COLUMNS = ['label', 'voxels', 'volume_um3', 'surface_um2', 'centroid_z', 'centroid_y', 'centroid_x', 'bbox_z0', 'bbox_y0', 'bbox_x0', 'bbox_z1', 'bbox_y1', 'bbox_x1', 'radius_major_um', 'radius_mid_um', 'radius_minor_um', 'axis_major_z', 'axis_major_y', 'axis_major_x', 'sphericity'] as const;

/** components.csv: the columns of ARCHITECTURE.md, then the centroid in µm of the image frame. */
export function* componentLines(rows: ComponentRow[], f: ImageFrame): Generator<string> {
  yield [...COMPONENT_COLUMNS, 'centroid_z_um', 'centroid_y_um', 'centroid_x_um'].join(',');
  for (const c of rows) {
    const um = [0, 1, 2].map((a) => attrText(f.originUm[a] + [c.centroid_z, c.centroid_y, c.centroid_x][a] * f.voxelSize[a]));
    yield [...COMPONENT_COLUMNS.map((k) => attrText(c[k])), ...um].join(',');
  }
}
