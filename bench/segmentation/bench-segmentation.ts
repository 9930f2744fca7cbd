/**
 * The pixel classifier against scikit-image's trainable segmentation, side by side in one run:
 * same volume (the vessel phantom under uneven gain and background, where Otsu fails), same sparse
 * labels (a random `fraction` of the voxels, labelled 1/2 from the truth as ilastik exports them),
 * same scales. Prints Dice against the truth and CPU seconds (features + training + prediction)
 * of each, both single-threaded, and the speed ratio per core (peer CPU seconds / ours). The peer
 * runs twice: with scikit-image's gallery settings and with scikit-learn's forest defaults.
 *
 * Per core, fairly: both sides are timed by the CPU time of their whole process, all threads
 * included (ours: process.cpuUsage(), with V8's GC and compiler threads; the peer:
 * time.process_time(), with any OpenMP/BLAS/joblib threads), around features + fit + predict only
 * (not imports, not file reading). The peer runs with n_jobs=1, num_workers=1 and one BLAS/OpenMP
 * thread, and reports its thread count (`threads`) so a silently parallel peer would show.
 *
 * Run: npx tsx bench/segmentation/bench-segmentation.ts [edge=96] [fraction=0.003]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderUnevenPhantom } from '../../src/synth/render-uneven-phantom.js';
import { seededRandom } from '../../src/segmentation/_grow-tree.js';
import { PixelClassifier, samplesFromFeatures } from '../../src/segmentation/pixel-classifier.js';
import { withPixelFeatures, type PixelFeatures } from '../../src/segmentation/pixel-features.js';
import { encodeNpy } from '../../src/imageio/write-npy.js';
import type { Box3, Vec3 } from '../../src/geometry/box.js';

const edge = Number(process.argv[2] ?? 96);
const fraction = Number(process.argv[3] ?? 0.003);
const shape: Vec3 = [edge, edge, edge];
const sigmas = [0.7, 1.6, 3.5];
const dir = mkdtempSync(join(tmpdir(), 'sg-bench-seg-'));

function cpuSeconds(f: () => void): number {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

function cpuSince(c0: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

function dice(pred: ArrayLike<number>, truth: Uint8Array): number {
  let both = 0, p = 0, t = 0;
  for (let i = 0; i < truth.length; i++) {
    both += pred[i] && truth[i] ? 1 : 0;
    p += pred[i] ? 1 : 0;
    t += truth[i];
  }
  return (2 * both) / (p + t);
}

const phantom = renderUnevenPhantom({ shape, seed: 3 });
const rand = seededRandom(11);
const labels = new Uint8Array(phantom.mask.length);
let labelled = 0;
for (let i = 0; i < labels.length; i++) {
  if (rand() >= fraction) continue;
  labels[i] = phantom.mask[i] ? 2 : 1;
  labelled++;
}
writeFileSync(join(dir, 'image.npy'), encodeNpy(phantom.image, shape, 'float32'));
writeFileSync(join(dir, 'labels.npy'), encodeNpy(labels, shape, 'uint8'));
writeFileSync(join(dir, 'truth.npy'), encodeNpy(phantom.mask, shape, 'uint8'));

const whole: Box3 = { start: [0, 0, 0], size: shape };
let ours: Float32Array = new Float32Array(0);
let model: PixelClassifier | undefined;
let featureSeconds = 0, trainSeconds = 0, predictSeconds = 0;
// As the peer does: features once, then fit on the labelled rows and predict every voxel. The
// features stay where the kernels wrote them (as PixelClassifier.probability uses them per block).
let features: PixelFeatures | undefined;
const begin = process.cpuUsage();
withPixelFeatures(phantom.image, whole, whole, { sigmasUm: sigmas, voxelSize: [1, 1, 1] }, (f) => {
  featureSeconds = cpuSince(begin);
  features = f;
  trainSeconds = cpuSeconds(() => (model = PixelClassifier.train(samplesFromFeatures(f, labels), sigmas, [1, 1, 1])));
  predictSeconds = cpuSeconds(() => (ours = model!.forest.predictFeatureMajor(f.values, f.voxels)));
});
const ourSeconds = featureSeconds + trainSeconds + predictSeconds;
const ourDice = dice(Array.from(ours, (p) => (p > 0.5 ? 1 : 0)), phantom.mask);

interface PeerResult {
  dice: number;
  total_s: number;
  features_s: number;
  train_s: number;
  predict_s: number;
  features: number;
  threads: number;
}
/** The peer in one configuration: trees, max_depth (0: none), max_samples ('none': all). */
function peer(trees: number, maxDepth: number, maxSamples: string): PeerResult {
  const args = [join(import.meta.dirname, 'skimage_peer.py'), dir, String(sigmas[0]), String(sigmas[sigmas.length - 1]), String(sigmas.length), String(trees), String(maxDepth), maxSamples];
  const env = { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  return JSON.parse(execFileSync('/usr/bin/python3', args, { env }).toString()) as PeerResult;
}
// scikit-image's gallery settings (plot_trainable_segmentation), and scikit-learn's defaults.
const gallery = peer(50, 10, '0.05');
const defaults = peer(100, 0, 'none');
rmSync(dir, { recursive: true, force: true });

console.log(`volume ${edge}³ (${phantom.mask.length} voxels), labelled ${labelled} (${((100 * labelled) / labels.length).toFixed(2)} %), σ ${sigmas.join(', ')} µm`);
console.log(`stitchgraph classifier : Dice ${ourDice.toFixed(3)}  ${ourSeconds.toFixed(2)} s CPU (features ${featureSeconds.toFixed(2)}, fit ${trainSeconds.toFixed(2)}, predict ${predictSeconds.toFixed(2)}; ${model!.forest.treeCount} trees, ${features!.count} features)`);
const line = (name: string, p: PeerResult) =>
  console.log(`${name}: Dice ${p.dice.toFixed(3)}  ${p.total_s.toFixed(2)} s CPU (features ${p.features_s.toFixed(2)}, fit ${p.train_s.toFixed(2)}, predict ${p.predict_s.toFixed(2)}; ${p.features} features, ${p.threads} threads)  speed ratio per core ${(p.total_s / ourSeconds).toFixed(2)}×`);
line('skimage + RF, gallery (50 trees, depth 10, 5 % samples)', gallery);
line('skimage + RF, sklearn defaults (100 trees, full depth) ', defaults);
