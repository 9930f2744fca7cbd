/**
 * Voxels/s of labelling and thinning, side by side with scipy.ndimage.label and scikit-image's
 * skeletonize_3d on the same volumes (written to a temp folder, timed inside Python around the
 * call only). Best CPU time of 5 runs (thinning: 3) on both sides: steadier than wall time on a
 * shared machine, and both sides are single-threaded. Last row: the whole `analyze` of a volume
 * (one process, blocks inline: labelling, measures, thinning, radii, graph) against the pipeline a
 * Python user would script: scipy.ndimage.label + skimage skeletonize_3d + distance_transform_edt
 * + a networkx graph of the skeleton voxels (26-neighbours). The last column is ours / peer in speed
 * (> 1: we are faster). Label rows also check that our label image equals scipy's, voxel for
 * voxel (the process exits 1 if not). Both sides run under the allocator setting of the
 * `stitchgraph` launcher (transparent huge pages for large mappings, as numpy asks for its arrays;
 * bench/_huge-pages.ts).
 * Run: npx tsx bench/analysis/label-skeleton.ts [edge=256] [skelEdge=160] [analyzeShape=97,965,964]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateVesselNetwork } from '../../src/synth/vessel-network.js';
import { PhantomRenderer } from '../../src/synth/render-phantom.js';
import { labelComponents } from '../../src/analysis/label-components.js';
import { rerunWithHugePages } from '../_huge-pages.js';
import { skeletonizeLee } from '../../src/analysis/skeletonize-lee.js';
import { analyzeVolume } from '../../src/analysis/analyze-volume.js';
import type { Vec3 } from '../../src/geometry/box.js';

// Both sides under the allocator setting of the stitchgraph launcher (see bench/_huge-pages.ts).
rerunWithHugePages();

const edge = Number(process.argv[2] ?? 256);
const skelEdge = Number(process.argv[3] ?? 160);
const analyzeShape = (process.argv[4] ?? '97,965,964').split(',').map(Number) as Vec3;
const dir = mkdtempSync(join(tmpdir(), 'sg-bench-'));

/** Best CPU time (s) of `reps` runs: on a shared machine CPU time is steadier than wall time. */
function best(f: () => void, reps: number): number {
  let t = Infinity;
  for (let i = 0; i < reps; i++) {
    const c0 = process.cpuUsage();
    f();
    const c = process.cpuUsage(c0);
    t = Math.min(t, (c.user + c.system) / 1e6);
  }
  return t;
}

function py(code: string): Record<string, number> & { same?: boolean } {
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', `import numpy as np, json, time\nD=${JSON.stringify(dir)}\n${code}`]).toString());
}

function vesselMask(shape: Vec3, seed: number, density: number): Uint8Array {
  const net = generateVesselNetwork({ shape, seed, lengthDensity: density });
  return new PhantomRenderer(net, { seed }).mask([0, 0, 0], shape);
}

function noiseMask(shape: Vec3, p: number): Uint8Array {
  let s = 1;
  const m = new Uint8Array(shape[0] * shape[1] * shape[2]);
  for (let i = 0; i < m.length; i++) m[i] = (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 < p ? 1 : 0;
  return m;
}

const rows: string[] = [];

/** `analyze` of a whole vessel volume against the Python pipeline on the same mask. */
async function analyzeRow(shape: Vec3): Promise<string> {
  const m = vesselMask(shape, 3, 1 / 400);
  writeFileSync(join(dir, 'a.raw'), m);
  const n = shape[0] * shape[1] * shape[2];
  let branches = 0;
  const ours = await cpu(async () => {
    const a = await analyzeVolume(async (b) => {
      const out = new Uint8Array(b.size[0] * b.size[1] * b.size[2]);
      for (let z = 0, o = 0; z < b.size[0]; z++)
        for (let y = 0; y < b.size[1]; y++, o += b.size[2]) {
          const s = ((b.start[0] + z) * shape[1] + b.start[1] + y) * shape[2] + b.start[2];
          out.set(m.subarray(s, s + b.size[2]), o);
        }
      return out;
    }, shape, { threshold: 0.5, min_size: 0 });
    branches = a.summary.n_branches;
  });
  const ref = py(`import networkx as nx
from scipy import ndimage as ndi
from skimage.morphology import skeletonize_3d
m=np.fromfile(D+'/a.raw',np.uint8).reshape(${shape.join(',')})
t0=time.process_time()
lab,nc=ndi.label(m, ndi.generate_binary_structure(3, 3))
objs=ndi.find_objects(lab)
sk=skeletonize_3d(m)>0
dist=ndi.distance_transform_edt(m)
pts=np.argwhere(sk); idx={tuple(p): i for i, p in enumerate(pts)}
g=nx.Graph()
for i, p in enumerate(pts):
  g.add_node(i, radius=dist[tuple(p)])
  for d in [(a,b,c) for a in (-1,0,1) for b in (-1,0,1) for c in (-1,0,1) if (a,b,c) > (0,0,0)]:
    j=idx.get((p[0]+d[0],p[1]+d[1],p[2]+d[2]))
    if j is not None: g.add_edge(i, j)
deg=np.array([d for _, d in g.degree()])
t=time.process_time()-t0
print(json.dumps({'t':t,'n':int(nc),'junctions':int((deg>2).sum()),'ends':int((deg==1).sum())}))`);
  return `| analyze (label, measures, thinning, radii, graph) | vessel phantom ${shape.join('×')} | ${mv(n, ours)} | ${mv(n, ref.t)} (scipy label + skeletonize_3d + EDT + networkx voxel graph) | ${branches} branches / ${ref.n} components, ${ref.junctions} junction voxels | ${ratio(ours, ref.t)} |`;
}
const mv = (n: number, t: number) => (n / t / 1e6).toFixed(1);
const ratio = (ours: number, peer: number) => `${(peer / ours).toFixed(2)}×`;

/** CPU seconds of one run of an async function (blocks run inline: one thread, as the peer). */
async function cpu(f: () => Promise<unknown>): Promise<number> {
  const c0 = process.cpuUsage();
  await f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}
try {
  const shape: Vec3 = [edge, edge, edge];
  const n = edge ** 3;
  const vols: [string, Uint8Array][] = [
    [`vessel phantom ${edge}³`, vesselMask(shape, 1, 1 / 400)],
    [`random 30 % ${edge}³`, noiseMask(shape, 0.3)],
  ];
  for (const [name, m] of vols) {
    writeFileSync(join(dir, 'm.raw'), m);
    for (const conn of [6, 26] as const) {
      const ours = best(() => labelComponents(m, shape, conn), 5);
      const { labels, count } = labelComponents(m, shape, conn);
      writeFileSync(join(dir, 'l.raw'), labels);
      // Same numbering as scipy (raster order of first voxels), so the label images must be equal.
      const ref = py(`from scipy import ndimage as ndi
m=np.fromfile(D+'/m.raw',np.uint8).reshape(${shape.join(',')})
st=ndi.generate_binary_structure(3, ${conn === 6 ? 1 : 3})
t=1e9
for _ in range(5):
  t0=time.process_time(); l,n=ndi.label(m, st); t=min(t,time.process_time()-t0)
same=bool(np.array_equal(l, np.fromfile(D+'/l.raw',np.int32).reshape(l.shape)))
print(json.dumps({'t':t,'n':int(n),'same':same}))`);
      if (!ref.same || ref.n !== count) process.exitCode = 1;
      rows.push(`| label ${conn} | ${name} | ${mv(n, ours)} | ${mv(n, ref.t)} (scipy.ndimage.label) | ${count} / ${ref.n}, labels ${ref.same ? 'identical' : 'DIFFER'} | ${ratio(ours, ref.t)} |`);
      console.log(rows[rows.length - 1]);
    }
  }
  const sshape: Vec3 = [skelEdge, skelEdge, skelEdge];
  const sm = vesselMask(sshape, 2, 1 / 400);
  writeFileSync(join(dir, 's.raw'), sm);
  const sn = skelEdge ** 3;
  const ours = best(() => skeletonizeLee(sm, sshape), 3);
  const kept = skeletonizeLee(sm, sshape).reduce((a, b) => a + b, 0);
  const ref = py(`from skimage.morphology import skeletonize_3d
m=np.fromfile(D+'/s.raw',np.uint8).reshape(${sshape.join(',')})
t=1e9
for _ in range(3):
  t0=time.process_time(); s=skeletonize_3d(m); t=min(t,time.process_time()-t0)
print(json.dumps({'t':t,'n':int((s>0).sum())}))`);
  rows.push(`| thinning (Lee 1994) | vessel phantom ${skelEdge}³ (${((sm.reduce((a, b) => a + b, 0) / sn) * 100).toFixed(1)} % fg) | ${mv(sn, ours)} | ${mv(sn, ref.t)} (skimage skeletonize_3d) | ${kept} / ${ref.n} skeleton voxels | ${ratio(ours, ref.t)} |`);
  console.log(rows[rows.length - 1]);
  rows.push(await analyzeRow(analyzeShape));
  console.log(rows[rows.length - 1]);
  console.log('\n| step | volume | ours (M voxels/s) | peer (M voxels/s) | result ours / peer | speed ours / peer |\n|---|---|---|---|---|---|\n' + rows.join('\n'));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
