/**
 * The graph pass of a block-wise analysis: the blocks' kept skeletons are read back in raster
 * order, relabelled with the final component numbers, and fed to the streaming graph merge; each
 * finished piece goes to the summary accumulator and to the caller's sink.
 */
import type { Vec3 } from '../geometry/box.js';
import type { SkeletonGraphOptions } from '../graph/skeleton-graph.js';
import type { BlockCollector } from './_block-collector.js';
import { STAT_STRIDE } from './component-measures.js';
import { StreamingGraphMerge, type GraphPiece } from './streaming-graph-merge.js';
import { NetworkSummaryAccumulator } from './network-summary-accumulator.js';

export interface GraphPassInputs {
  shape: Vec3;
  block: Vec3;
  voxelSize: Vec3;
  graphOptions: SkeletonGraphOptions;
  /** Labels of 6-connectivity: skeletons of two components can touch. */
  touching: boolean;
  /** Per block, local label → merged component (1..count). */
  map: Int32Array[];
  /** Merged component → kept component (1..kept) or 0 (size filter). */
  keep: Int32Array;
  kept: number;
  /** STAT_STRIDE numbers per merged component. */
  stats: Float64Array;
}

export interface GraphPassResult {
  summary: NetworkSummaryAccumulator;
  peakRetainedSkeletonVoxels: number;
  skeletonVoxels: number;
}

export function runGraphPass(collected: BlockCollector, inp: GraphPassInputs, sink: (piece: GraphPiece) => void): GraphPassResult {
  const summary = new NetworkSummaryAccumulator(Math.min(...inp.voxelSize));
  const mergedOf = new Int32Array(inp.kept + 1);
  for (let c = 1; c < inp.keep.length; c++) if (inp.keep[c] > 0) mergedOf[inp.keep[c]] = c;
  const bboxMax = (k: number): Vec3 => {
    const b = mergedOf[k] * STAT_STRIDE;
    return [inp.stats[b + 13], inp.stats[b + 14], inp.stats[b + 15]];
  };
  const merge = new StreamingGraphMerge(inp.shape, inp.block, inp.voxelSize, inp.graphOptions, bboxMax, inp.kept, inp.touching, (piece) => {
    summary.addGraph(piece.nodes, piece.branches);
    sink(piece);
  });
  inp.map.forEach((map, k) => {
    const s = collected.skeletonOf(k);
    let n = 0;
    for (let i = 0; i < s.label.length; i++) if (inp.keep[map[s.label[i]]] !== 0) n++;
    const out = { index: new Float64Array(n), radius: new Float32Array(n), component: new Int32Array(n) };
    for (let i = 0, o = 0; i < s.label.length; i++) {
      const c = inp.keep[map[s.label[i]]];
      if (c === 0) continue;
      out.index[o] = s.index[i];
      out.radius[o] = s.radius[i];
      out.component[o++] = c;
    }
    summary.addRadii(out.radius);
    merge.add(k, out);
  });
  merge.finish();
  return { summary, peakRetainedSkeletonVoxels: merge.peakRetainedSkeletonVoxels, skeletonVoxels: merge.totalSkeletonVoxels };
}
