/**
 * The small page `serve` shows at `/`: three orthogonal slices (z, y, x planes through one point)
 * at a chosen pyramid level, with a slider per axis. Slices are PNGs from `/api/slice`.
 */
export function viewerPage(title: string): string {
  const esc = title.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc} - stitchgraph</title>
<style>
body { font: 14px system-ui, sans-serif; background: #111; color: #ddd; margin: 1em; }
.views { display: flex; gap: 1em; flex-wrap: wrap; align-items: flex-start; }
figure { margin: 0; } figcaption { margin-bottom: .3em; }
img { image-rendering: pixelated; background: #000; max-width: 512px; min-width: 128px; }
label { display: inline-block; margin-right: 1.5em; }
</style></head>
<body>
<h1>${esc}</h1>
<p id="info">loading...</p>
<div id="controls">
  <label>level <select id="level"></select></label>
  <label>z <input type="range" id="z" min="0" max="0" value="0"> <span id="zv"></span></label>
  <label>y <input type="range" id="y" min="0" max="0" value="0"> <span id="yv"></span></label>
  <label>x <input type="range" id="x" min="0" max="0" value="0"> <span id="xv"></span></label>
</div>
<div class="views">
  <figure><figcaption>z plane (y, x)</figcaption><img id="slice-z" alt="z plane"></figure>
  <figure><figcaption>y plane (z, x)</figcaption><img id="slice-y" alt="y plane"></figure>
  <figure><figcaption>x plane (z, y)</figcaption><img id="slice-x" alt="x plane"></figure>
</div>
<script>
let info;
const $ = (id) => document.getElementById(id);
function level() { return Number($('level').value); }
function show() {
  const L = level();
  for (const a of ['z', 'y', 'x']) {
    $(a + 'v').textContent = $(a).value;
    $('slice-' + a).src = 'api/slice.png?level=' + L + '&axis=' + a + '&index=' + $(a).value;
  }
}
function setLevel(keep) {
  const L = level(), ext = info.levels[L];
  ['z', 'y', 'x'].forEach((a, i) => {
    const s = $(a), old = keep ? Number(s.value) / Math.max(1, Number(s.max)) : 0.5;
    s.min = ext.lo[i]; s.max = ext.lo[i] + ext.shape[i] - 1;
    s.value = Math.round(ext.lo[i] + old * (ext.shape[i] - 1));
  });
  show();
}
fetch('api/info').then((r) => r.json()).then((i) => {
  info = i;
  $('info').textContent = 'volume ' + i.shape.join(' x ') + ' voxels at [' + i.origin.join(', ') + '], voxel ' + i.voxelSize.join(' x ') + ' um, ' + i.tiles + ' tiles';
  i.levels.forEach((l, k) => { const o = document.createElement('option'); o.value = k; o.textContent = k + ' (' + l.shape.join('x') + ')'; $('level').append(o); });
  $('level').value = i.defaultLevel;
  setLevel(false);
  $('level').addEventListener('change', () => setLevel(false));
  for (const a of ['z', 'y', 'x']) $(a).addEventListener('input', show);
});
</script>
</body></html>
`;
}
