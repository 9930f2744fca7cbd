import { z } from 'zod';

/** `fusion:` section. */
export const FusionSettingsSchema = z
  .strictObject({
    blend: z.enum(['average', 'linear', 'cosine', 'max', 'first']).default('cosine'),
    /** Width (voxels) over which linear/cosine weights fall towards a tile's border. */
    blend_width: z.number().min(0).default(16),
    /** Value for voxels covered by no tile. */
    fill_value: z.number().default(0),
    /** Estimate a per-tile gain/offset from the overlaps and apply it in views. */
    intensity_correction: z.boolean().default(true),
    /** Chunk shape (z, y, x) of the fused OME-Zarr. */
    chunk: z.tuple([z.number().int().positive(), z.number().int().positive(), z.number().int().positive()]).default([64, 128, 128]),
    /** Decoded tile chunks kept in memory by views (MiB); bounds the memory of view, fuse and serve. */
    cache_mb: z.number().min(0).default(512),
    /** OME-NGFF version of the fused output: 0.4 on Zarr v2 (zarr-python 2, most viewers) or 0.5 on Zarr v3. */
    ngff: z.enum(['0.4', '0.5']).default('0.4'),
    /** Write fused output (`run` only fuses when this is true). */
    enabled: z.boolean().default(false),
  })
  .prefault({});

export type FusionSettings = z.infer<typeof FusionSettingsSchema>;
