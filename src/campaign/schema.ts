import { z } from 'zod';
import { RegistrationSettingsSchema } from './sections/registration.js';
import { OptimizationSettingsSchema } from './sections/optimization.js';
import { FusionSettingsSchema } from './sections/fusion.js';
import { AnalysisSettingsSchema } from './sections/analysis.js';
import { DistributedSettingsSchema } from './sections/distributed.js';
import { PyramidSettingsSchema } from './sections/pyramid.js';
import { ExportSettingsSchema } from './sections/export.js';

const Vec3 = z.tuple([z.number(), z.number(), z.number()]);
const PositiveVec3 = z.tuple([z.number().positive(), z.number().positive(), z.number().positive()]);

export const FieldOfViewSchema = z.enum(['full', 'cylinder']);

export const TileEntrySchema = z.strictObject({
  id: z.string().min(1).regex(/^[A-Za-z0-9_.:-]+$/, 'tile ids may hold letters, digits and _ . : -'),
  /** Array path inside the store. */
  array: z.string().min(1),
  /** Nominal (stage) position of the tile's voxel (0,0,0), in voxels of the global frame. */
  position: Vec3,
  field_of_view: FieldOfViewSchema.optional(),
  /** Voxels equal to this value carry no image (e.g. 0 outside a reconstruction). */
  fill_value: z.number().optional(),
});

export const GridSchema = z.strictObject({
  tiles: z.tuple([z.number().int().min(1), z.number().int().min(1), z.number().int().min(1)]),
  /** Fraction of the tile that overlaps its neighbour, one for all axes or per axis (z, y, x). */
  overlap: z.union([z.number().min(0).lt(1), z.tuple([z.number().min(0).lt(1), z.number().min(0).lt(1), z.number().min(0).lt(1)])]),
  /** Array path template with {z}, {y}, {x} grid indices. */
  array: z.string().min(1),
  /** Tile id template; defaults to t_{z}_{y}_{x}. */
  id: z.string().default('t_{z}_{y}_{x}'),
  /** Position of tile (0,0,0). */
  origin: Vec3.default([0, 0, 0]),
});

export const CampaignConfigSchema = z
  .strictObject({
    campaign: z.string().min(1).optional(),
    store: z.string().min(1),
    workdir: z.string().min(1),
    voxel_size: PositiveVec3.default([1, 1, 1]),
    field_of_view: FieldOfViewSchema.default('full'),
    fill_value: z.number().optional(),
    tiles: z.array(TileEntrySchema).min(1).optional(),
    grid: GridSchema.optional(),
    registration: RegistrationSettingsSchema,
    optimization: OptimizationSettingsSchema,
    fusion: FusionSettingsSchema,
    analysis: AnalysisSettingsSchema,
    distributed: DistributedSettingsSchema,
    pyramid: PyramidSettingsSchema,
    export: ExportSettingsSchema,
  })
  .superRefine((cfg, ctx) => {
    if (!cfg.tiles && !cfg.grid) {
      ctx.addIssue({ code: 'custom', path: ['tiles'], message: 'give either `tiles:` (a list) or `grid:`' });
    }
    if (cfg.tiles && cfg.grid) {
      ctx.addIssue({ code: 'custom', path: ['grid'], message: 'give either `tiles:` or `grid:`, not both' });
    }
    const seen = new Map<string, number>();
    cfg.tiles?.forEach((t, i) => {
      const first = seen.get(t.id);
      if (first !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['tiles', i, 'id'], message: `duplicate tile id "${t.id}" (also tiles[${first}])` });
      } else seen.set(t.id, i);
    });
  });

export type CampaignConfigInput = z.input<typeof CampaignConfigSchema>;
export type CampaignConfig = z.output<typeof CampaignConfigSchema>;
export type TileEntry = z.output<typeof TileEntrySchema>;
export type FieldOfView = z.output<typeof FieldOfViewSchema>;
