"""scikit-image's trainable segmentation on the bench volume (the peer of bench-segmentation.ts).

multiscale_basic_features + RandomForestClassifier with the parameters of scikit-image's gallery
example (plot_trainable_segmentation: 50 trees, max_depth 10, max_samples 0.05), single-threaded
(n_jobs=1, num_workers=1), timed in CPU seconds around features + fit + predict.

Fair per core: time.process_time() is the CPU time (user + system) of the whole process, every thread
included (OpenMP or BLAS pools, joblib threads), so whatever threads the peer starts count against it,
as process.cpuUsage() counts Node's GC and compiler threads against ours. The bench sets n_jobs=1,
num_workers=1 and OMP/OPENBLAS/MKL_NUM_THREADS=1; `threads` in the output is the process's thread
count at the end (/proc/self/status), to show that it stayed single-threaded.
Usage: python3 skimage_peer.py DIR SIGMA_MIN SIGMA_MAX NUM_SIGMA TREES MAX_DEPTH MAX_SAMPLES
"""
import json
import sys
import time

import numpy as np
from sklearn.ensemble import RandomForestClassifier
from skimage.feature import multiscale_basic_features
from skimage.future import fit_segmenter, predict_segmenter

d = sys.argv[1]
sigma_min, sigma_max, num_sigma = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
trees, max_depth = int(sys.argv[5]), int(sys.argv[6])
max_samples = None if sys.argv[7] == 'none' else float(sys.argv[7])
image = np.load(f'{d}/image.npy')
labels = np.load(f'{d}/labels.npy')
truth = np.load(f'{d}/truth.npy').astype(bool)

t0 = time.process_time()
features = multiscale_basic_features(image, intensity=True, edges=True, texture=True,
                                     sigma_min=sigma_min, sigma_max=sigma_max, num_sigma=num_sigma, num_workers=1)
t1 = time.process_time()
clf = RandomForestClassifier(n_estimators=trees, n_jobs=1, max_depth=max_depth if max_depth > 0 else None,
                             max_samples=max_samples, random_state=0)
clf = fit_segmenter(labels, features, clf)
t2 = time.process_time()
pred = predict_segmenter(features, clf) == 2
t3 = time.process_time()
dice = 2 * np.logical_and(pred, truth).sum() / (pred.sum() + truth.sum())
threads = next((int(l.split()[1]) for l in open('/proc/self/status') if l.startswith('Threads:')), 0)
print(json.dumps({'threads': threads, 'dice': float(dice), 'features_s': t1 - t0, 'train_s': t2 - t1, 'predict_s': t3 - t2,
                  'total_s': t3 - t0, 'features': int(features.shape[-1])}))
