import type { Vec3 } from '../geometry/box.js';
import type { StitchedVolume } from './stitched-volume.js';

/**
 * OME-NGFF 0.4 multiscales metadata (https://ngff.openmicroscopy.org/0.4/#multiscale-md) of a
 * stitched volume's pyramid: axes z, y, x in micrometres; each level's scale is the voxel size
 * times its factor, its translation puts the centre of array voxel 0 where the mean it holds is
 * centred in the global frame (global voxel 0 at 0 µm). 0.4 because Debian's zarr-python and the
 * common viewers read Zarr v2, and NGFF 0.5 needs Zarr v3. ASCII only: zarr-python 2.13 decodes
 * attributes as ASCII.
 */
export function multiscalesMetadata(volume: StitchedVolume, levels: number, name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const vs = volume.campaign.voxelSize;
  const datasets = [];
  let f: Vec3 = [1, 1, 1];
  for (let l = 0; l < levels; l++) {
    const step = volume.levelStep(l);
    f = f.map((v, a) => v * step[a]) as Vec3;
    const lo = volume.levelExtent(l).lo;
    datasets.push({
      path: String(l),
      coordinateTransformations: [
        { type: 'scale', scale: f.map((v, a) => v * vs[a]) },
        { type: 'translation', translation: f.map((v, a) => (lo[a] * v + (v - 1) / 2) * vs[a]) },
      ],
    });
  }
  return {
    multiscales: [
      {
        version: '0.4',
        name,
        axes: ['z', 'y', 'x'].map((n) => ({ name: n, type: 'space', unit: 'micrometer' })),
        datasets,
        type: 'mean',
        metadata: { description: 'mean of 2x2x2 voxels of the level below (inside the volume only)', ...extra },
      },
    ],
  };
}
