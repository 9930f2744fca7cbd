import type { IntensitySummary } from '../stitch/intensity-summary.js';
import { escapeXml } from './svg-charts.js';

/** The report's "Intensity correction" section: applied or not, why, and per tile what views apply. */
export function intensitySection(s: IntensitySummary | undefined, enabled: boolean): string {
  if (!enabled) return '<p>Intensity correction is off (<code>fusion.intensity_correction: false</code>).</p>';
  if (!s) return '<p>Intensity correction was not estimated (no stitched preview).</p>';
  const rows = Object.entries(s.tiles)
    .map(([id, t]) => `<tr><td>${escapeXml(id)}</td><td>${t.gain.toFixed(3)}</td><td>${t.offset.toFixed(2)}</td><td>${t.fitted_gain?.toFixed(3) ?? ''}</td><td>${t.fitted_offset?.toFixed(2) ?? ''}</td></tr>`)
    .join('');
  return `<p class="${s.applied ? '' : 'muted'}">${s.applied ? 'Applied' : 'Not applied'}: ${escapeXml(s.reason)}</p>
<details><summary>Per tile (value' = gain·value + offset)</summary><table class="intensity"><tr><th>tile</th><th>gain applied</th><th>offset applied</th><th>gain fitted</th><th>offset fitted</th></tr>${rows}</table></details>`;
}
