/**
 * `network/` written while the graph pass runs: every piece of the graph (whole components) is
 * appended to branches.csv, nodes.csv, to the node and edge parts of graph.graphml and graph.gexf,
 * and to skeleton.swc, then dropped; `finish` adds components.csv and summary.json, joins the
 * graph files' parts and renames every file into place. Same bytes as `writeNetwork` on the
 * gathered analysis. The graph files stop (and are skipped with the reason) once the network
 * passes `analysis.export_max_branches` branches, the SWC past `analysis.export_max_swc_samples`.
 */
import { join } from 'node:path';
import type { Vec3 } from '../geometry/box.js';
import type { AnalysisSettings } from '../campaign/sections/analysis.js';
import { writeJsonAtomic } from '../files/write-atomic.js';
import { attrText, branchAttributes, nodeAttributes, type ImageFrame } from '../graph/skeleton-attributes.js';
import { skeletonGraphmlFormat, type GraphFileFormat } from '../graph/skeleton-graphml.js';
import { skeletonGexfFormat } from '../graph/skeleton-gexf.js';
import { skeletonSwcLines } from '../graph/skeleton-swc.js';
import type { GraphPiece } from './streaming-graph-merge.js';
import type { ComponentRow } from './component-measures.js';
import type { NetworkSummary } from './network-summary.js';
import { AppendLines } from './_append-lines.js';
import { componentLines } from './_component-lines.js';

/** Default of `analysis.export_max_branches` (graph.graphml / graph.gexf skipped above it). */
export const MAX_GRAPH_EXPORT_EDGES = 5_000_000;

export interface WriteNetworkResult {
  written: string[];
  /** Files left out, with the reason (a size above the user's limit). */
  skipped: { file: string; reason: string }[];
}

interface GraphFile {
  name: string;
  format: GraphFileFormat;
  nodes: AppendLines;
  edges: AppendLines;
}

export class NetworkStreamWriter {
  private readonly branches: AppendLines;
  private readonly nodes: AppendLines;
  private graphFiles: GraphFile[] | undefined;
  private swc: AppendLines | undefined;
  private branchCount = 0;
  private samples = 0;
  private readonly maxBranches: number;
  private readonly maxSamples: number;
  private readonly nodeAttrs;
  private readonly branchAttrs = branchAttributes();

  constructor(
    private readonly dir: string,
    private readonly shape: Vec3,
    private readonly frame: ImageFrame,
    settings: Partial<Pick<AnalysisSettings, 'export_max_branches' | 'export_max_swc_samples'>>,
  ) {
    this.maxBranches = settings.export_max_branches ?? MAX_GRAPH_EXPORT_EDGES;
    this.maxSamples = settings.export_max_swc_samples ?? 50_000_000;
    this.nodeAttrs = nodeAttributes(frame);
    this.branches = new AppendLines(join(dir, 'branches.csv'));
    this.branches.push(['branch_id', 'node_src', 'node_dst', ...this.branchAttrs.map((a) => a.name)].join(','));
    this.nodes = new AppendLines(join(dir, 'nodes.csv'));
    this.nodes.push(['node_id', ...this.nodeAttrs.map((a) => a.name)].join(','));
    this.graphFiles = [
      { name: 'graph.graphml', format: skeletonGraphmlFormat(frame) },
      { name: 'graph.gexf', format: skeletonGexfFormat(frame) },
    ].map((f) => ({ ...f, nodes: new AppendLines(join(dir, `${f.name}.nodes`)), edges: new AppendLines(join(dir, `${f.name}.edges`)) }));
    this.swc = new AppendLines(join(dir, 'skeleton.swc'));
  }

  /** Append one piece of the graph (ids global, pieces in id order). */
  add(piece: GraphPiece): void {
    for (const b of piece.branches) this.branches.push([b.id, b.src, b.dst, ...this.branchAttrs.map((a) => attrText(a.value(b)))].join(','));
    for (const n of piece.nodes) this.nodes.push([n.id, ...this.nodeAttrs.map((a) => attrText(a.value(n)))].join(','));
    this.branchCount += piece.branches.length;
    if (this.graphFiles && this.branchCount > this.maxBranches) {
      for (const f of this.graphFiles) {
        f.nodes.discard();
        f.edges.discard();
      }
      this.graphFiles = undefined;
    }
    for (const f of this.graphFiles ?? []) {
      for (const n of piece.nodes) f.nodes.push(f.format.node(n));
      for (const b of piece.branches) f.edges.push(f.format.edge(b));
    }
    const first = this.samples + 1;
    this.samples += piece.skeleton.indices.length;
    if (this.swc && this.samples > this.maxSamples) {
      this.swc.discard();
      this.swc = undefined;
    }
    if (this.swc) for (const line of skeletonSwcLines(piece.skeleton.indices, piece.skeleton.radii, this.shape, this.frame, { firstId: first, header: first === 1 })) this.swc.push(line);
  }

  /** Write components.csv and summary.json, join the graph files and put every file in place. */
  async finish(components: ComponentRow[], summary: NetworkSummary): Promise<WriteNetworkResult> {
    const written: string[] = [];
    const put = (f: AppendLines) => {
      f.commit();
      written.push(f.path);
    };
    put(this.branches);
    put(this.nodes);
    const comps = new AppendLines(join(this.dir, 'components.csv'));
    for (const line of componentLines(components, this.frame)) comps.push(line);
    put(comps);
    await writeJsonAtomic(join(this.dir, 'summary.json'), summary);
    written.push(join(this.dir, 'summary.json'));
    for (const f of this.graphFiles ?? []) {
      const out = new AppendLines(join(this.dir, f.name));
      for (const l of f.format.head) out.push(l);
      f.nodes.close();
      out.append(f.nodes.tmp);
      for (const l of f.format.middle) out.push(l);
      f.edges.close();
      out.append(f.edges.tmp);
      for (const l of f.format.tail) out.push(l);
      put(out);
      f.nodes.discard();
      f.edges.discard();
    }
    const skipped: WriteNetworkResult['skipped'] = [];
    if (!this.graphFiles) {
      const reason = `${this.branchCount} branches > analysis.export_max_branches = ${this.maxBranches}`;
      skipped.push({ file: 'graph.graphml', reason }, { file: 'graph.gexf', reason });
    }
    if (this.swc) {
      if (this.samples === 0) for (const line of skeletonSwcLines([], [], this.shape, this.frame)) this.swc.push(line);
      put(this.swc);
    } else skipped.push({ file: 'skeleton.swc', reason: `${this.samples} skeleton voxels > analysis.export_max_swc_samples = ${this.maxSamples}` });
    return { written, skipped };
  }

  /** Remove the temporary files (the analysis failed). */
  discard(): void {
    for (const f of [this.branches, this.nodes, this.swc, ...(this.graphFiles ?? []).flatMap((g) => [g.nodes, g.edges])]) f?.discard();
  }
}
