import type { Vec3 } from '../geometry/box.js';
import type { SkeletonBranch, SkeletonNode } from './skeleton-graph.js';

/**
 * The one attribute vocabulary of the network exports (nodes.csv, branches.csv, GraphML, GEXF):
 * the same names, types and units everywhere. Positions: `*_vox` in voxels of the analysed volume
 * (z, y, x; `z, y, x` kept as the pre-round-2 names of the same values), `*_um` in µm of the
 * image's physical frame: origin + voxel index × voxel size. Booleans are true/false in every
 * format. Node and branch ids are the integers of node_id / branch_id in every format.
 */
export type AttrType = 'int' | 'double' | 'string' | 'boolean';

export interface Attr<T> {
  name: string;
  type: AttrType;
  /** Undefined (NaN) values are left out of the graph files and empty in CSV. */
  value: (item: T) => number | string | boolean;
}

/** Where the volume sits: voxel size and the position of voxel (0, 0, 0), both µm (z, y, x). */
export interface ImageFrame {
  voxelSize: Vec3;
  originUm: Vec3;
}

export function nodeAttributes(f: ImageFrame): Attr<SkeletonNode>[] {
  const um = (a: 0 | 1 | 2, v: number) => f.originUm[a] + v * f.voxelSize[a];
  return [
    { name: 'z', type: 'double', value: (n) => n.z },
    { name: 'y', type: 'double', value: (n) => n.y },
    { name: 'x', type: 'double', value: (n) => n.x },
    { name: 'degree', type: 'int', value: (n) => n.degree },
    { name: 'kind', type: 'string', value: (n) => n.kind },
    { name: 'radius_um', type: 'double', value: (n) => n.radius_um },
    { name: 'voxels', type: 'int', value: (n) => n.voxels },
    { name: 'component', type: 'int', value: (n) => n.component },
    { name: 'z_vox', type: 'double', value: (n) => n.z },
    { name: 'y_vox', type: 'double', value: (n) => n.y },
    { name: 'x_vox', type: 'double', value: (n) => n.x },
    { name: 'z_um', type: 'double', value: (n) => um(0, n.z) },
    { name: 'y_um', type: 'double', value: (n) => um(1, n.y) },
    { name: 'x_um', type: 'double', value: (n) => um(2, n.x) },
  ];
}

export function branchAttributes(): Attr<SkeletonBranch>[] {
  return [
    { name: 'branch_type', type: 'int', value: (b) => b.type },
    { name: 'length_um', type: 'double', value: (b) => b.length_um },
    { name: 'euclidean_um', type: 'double', value: (b) => b.euclidean_um },
    { name: 'tortuosity', type: 'double', value: (b) => b.tortuosity },
    { name: 'mean_radius_um', type: 'double', value: (b) => b.mean_radius_um },
    { name: 'min_radius_um', type: 'double', value: (b) => b.min_radius_um },
    { name: 'max_radius_um', type: 'double', value: (b) => b.max_radius_um },
    { name: 'on_border', type: 'boolean', value: (b) => b.on_border },
    { name: 'steps_length_um', type: 'double', value: (b) => b.steps_length_um },
    { name: 'voxels', type: 'int', value: (b) => b.voxels },
    { name: 'component', type: 'int', value: (b) => b.component },
  ];
}

/** Text of a value in every format: numbers to 1e-6, booleans true/false, undefined numbers empty. */
export function attrText(v: number | string | boolean): string {
  if (typeof v === 'number') return Number.isFinite(v) ? String(Math.round(v * 1e6) / 1e6) : '';
  return String(v);
}

/** Frame metadata written with every export (GraphML graph data, GEXF meta, SWC header, summary.json). */
export function frameFields(f: ImageFrame): [string, number][] {
  return [
    ['origin_z_um', f.originUm[0]], ['origin_y_um', f.originUm[1]], ['origin_x_um', f.originUm[2]],
    ['voxel_size_z_um', f.voxelSize[0]], ['voxel_size_y_um', f.voxelSize[1]], ['voxel_size_x_um', f.voxelSize[2]],
  ];
}
