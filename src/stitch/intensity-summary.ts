import type { IntensityModel } from './intensity-model.js';

export interface IntensitySummary {
  applied: boolean;
  reason: string;
  /** Per tile id: what views apply (gain 1 / offset 0 when not applied) and what was fitted. */
  tiles: Record<string, { gain: number; offset: number; fitted_gain?: number; fitted_offset?: number }>;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/** The intensity model by tile id, in the words the log and the report use. */
export function intensitySummary(model: IntensityModel, tileIds: readonly string[]): IntensitySummary {
  const tiles: IntensitySummary['tiles'] = {};
  tileIds.forEach((id, i) => {
    tiles[id] = {
      gain: round(model.gain[i], 4),
      offset: round(model.offset[i], 3),
      ...(model.fitted ? { fitted_gain: round(model.fitted.gain[i], 4), fitted_offset: round(model.fitted.offset[i], 3) } : {}),
    };
  });
  return { applied: model.helps, reason: model.reason, tiles };
}
