import { z } from 'zod';

const PositiveInt3 = z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]);

/**
 * `pyramid:` section: multiscale tile pyramids (src/pyramid). Every default lives here.
 * Levels are block means, 2× per axis per level, fewer along an axis whose voxels are coarser.
 */
export const PyramidSettingsSchema = z
  .strictObject({
    /**
     * Derived OME-Zarr store (Zarr v2, one group per tile id), relative to the campaign file.
     * Never the tile store itself. @default `<workdir>/pyramids.zarr`
     */
    store: z.string().min(1).optional(),
    /** Memory one build job may use (MiB): blocks are planned to fit. @default 256 */
    memory_mb: z.number().positive().default(256),
    /** Levels are added until the coarsest one's largest axis is at most this many voxels. @default 32 */
    min_size: z.number().int().min(1).default(32),
    /** Most levels, the source tile included. @default 10 */
    max_levels: z.number().int().min(1).max(16).default(10),
    /** Chunk shape (z, y, x) of the pyramid levels (clipped to each level's shape). @default [64, 128, 128] */
    chunk: PositiveInt3.default([64, 128, 128]),
    /** `import` and `run` build missing pyramids (`stitchgraph pyramid` always does). @default true */
    build: z.boolean().default(true),
  })
  .prefault({});

export type PyramidSettings = z.infer<typeof PyramidSettingsSchema>;
