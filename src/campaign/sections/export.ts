import { z } from 'zod';

/** `export:` section: what `run` writes for other tools. */
export const ExportSettingsSchema = z
  .strictObject({
    /**
     * BigStitcher/BigDataViewer project (`workdir/bigstitcher.xml`): `copy` writes BDV-readable
     * OME-Zarr copies of the tiles beside it, `link` points at the tile store, `auto` copies when
     * the tiles hold at most `bigstitcher_copy_limit_mb`, `off` writes nothing.
     */
    bigstitcher: z.enum(['auto', 'copy', 'link', 'off']).default('auto'),
    bigstitcher_copy_limit_mb: z.number().min(0).default(2048),
  })
  .prefault({});

export type ExportSettings = z.infer<typeof ExportSettingsSchema>;
