import { UndirectedGraph } from 'graphology';
import type { Vec3 } from '../geometry/box.js';
import type { PairRecord } from '../formats/pairs.js';
import { StitchgraphError } from '../errors.js';
import type { LinkSystem } from './solve-positions.js';

/** A tile as the optimiser needs it (a subset of the campaign's TileInfo). */
export interface DisplacementTile {
  id: string;
  /** Nominal (stage) position of voxel (0, 0, 0), voxels (z, y, x). */
  nominal: Vec3;
  /** Tile shape (z, y, x); informative (reports, Fiji export dimension). */
  shape?: Vec3;
}

export interface TileNodeAttributes {
  index: number;
  nominal: Vec3;
  shape?: Vec3;
}

/** An accepted pair: a measured link between two tiles. */
export interface LinkAttributes {
  /** Link index in the LinkSystem arrays. */
  index: number;
  /** Orientation of `shift`: position(b) − position(a). */
  a: string;
  b: string;
  shift: Vec3;
  correlation: number;
  overlap?: Vec3;
  /** Least-squares weight (see `linkWeight`). */
  weight: number;
}

/** A pair that gives no measurement (rejected): kept for the weak stage links between groups. */
export interface NominalLink {
  a: string;
  b: string;
}

/** Smallest weight: a link with correlation ≤ this still counts, but barely. */
export const MIN_LINK_WEIGHT = 0.05;

/**
 * Weight of an accepted link in the least squares: its correlation, clamped to
 * [MIN_LINK_WEIGHT, 1]. Correlation is the measure every pair has; a better-correlated overlap
 * is trusted more. The floor keeps a barely accepted link from vanishing from the system.
 */
export function linkWeight(correlation: number): number {
  if (!Number.isFinite(correlation)) return MIN_LINK_WEIGHT;
  return Math.min(1, Math.max(MIN_LINK_WEIGHT, correlation));
}

/**
 * The displacement graph (graphology, undirected, one edge per tile pair): nodes are tiles with
 * their nominal position and shape, edges are accepted pairs with their measured shift,
 * correlation, overlap and weight. Rejected pairs are kept aside as `nominalLinks`: they carry no
 * measurement, only the fact that two tiles are stage neighbours.
 *
 * `toLinkSystem()` flattens the edges into typed arrays for the solver; the edge attribute
 * `index` ties the two views together.
 */
export class DisplacementGraph {
  readonly graph: UndirectedGraph<TileNodeAttributes, LinkAttributes>;
  /** Tiles in campaign order (the order decides each group's first tile). */
  readonly tiles: readonly DisplacementTile[];
  readonly indexOf: ReadonlyMap<string, number>;
  /** Accepted links in index order. */
  readonly links: LinkAttributes[];
  /** Rejected pairs (neither tile measured against the other), deduplicated. */
  readonly nominalLinks: NominalLink[];
  /** Accepted pairs listed more than once (the better-correlated record was kept). */
  readonly duplicates: number;

  private constructor(tiles: readonly DisplacementTile[], graph: UndirectedGraph<TileNodeAttributes, LinkAttributes>, links: LinkAttributes[], nominalLinks: NominalLink[], duplicates: number) {
    this.tiles = tiles;
    this.graph = graph;
    this.links = links;
    this.nominalLinks = nominalLinks;
    this.duplicates = duplicates;
    this.indexOf = new Map(tiles.map((t, i) => [t.id, i]));
  }

  /**
   * Build the graph from the campaign's tiles and the records of pairs.json. Validates first:
   * a pair naming an unknown tile, a tile paired with itself or a non-finite shift is an
   * InputError naming the pair.
   */
  static fromPairs(tiles: readonly DisplacementTile[], pairs: readonly PairRecord[]): DisplacementGraph {
    const graph = new UndirectedGraph<TileNodeAttributes, LinkAttributes>({ allowSelfLoops: false });
    tiles.forEach((t, index) => {
      if (graph.hasNode(t.id)) throw new StitchgraphError('InputError', `Cannot build the displacement graph: tile "${t.id}" is listed twice`, { details: { tile: t.id } });
      if (!t.nominal.every(Number.isFinite)) throw new StitchgraphError('InputError', `Cannot build the displacement graph: tile "${t.id}" has a non-finite nominal position [${t.nominal}]`, { details: { tile: t.id } });
      graph.addNode(t.id, { index, nominal: [...t.nominal], ...(t.shape ? { shape: [...t.shape] as Vec3 } : {}) });
    });
    const links: LinkAttributes[] = [];
    const nominal = new Map<string, NominalLink>();
    let duplicates = 0;
    pairs.forEach((p, i) => {
      const where = `pairs[${i}] (${String(p.a)} – ${String(p.b)})`;
      for (const id of [p.a, p.b]) {
        if (typeof id !== 'string' || !graph.hasNode(id)) {
          throw new StitchgraphError('InputError', `Cannot build the displacement graph: ${where} names tile "${String(id)}", which the campaign does not have (was pairs.json made for another campaign?)`, { details: { pair: i, tile: id } });
        }
      }
      if (p.a === p.b) throw new StitchgraphError('InputError', `Cannot build the displacement graph: ${where} pairs a tile with itself`, { details: { pair: i } });
      const key = p.a < p.b ? `${p.a}\u0000${p.b}` : `${p.b}\u0000${p.a}`;
      if (p.status !== 'ok') {
        if (!nominal.has(key)) nominal.set(key, { a: p.a, b: p.b });
        return;
      }
      if (!Array.isArray(p.shift) || p.shift.length !== 3 || !p.shift.every(Number.isFinite)) {
        throw new StitchgraphError('InputError', `Cannot build the displacement graph: ${where} has status ok but shift ${JSON.stringify(p.shift)} is not three finite numbers`, { details: { pair: i } });
      }
      const correlation = typeof p.correlation === 'number' ? p.correlation : Number.NaN;
      const attrs: Omit<LinkAttributes, 'index'> = {
        a: p.a,
        b: p.b,
        shift: [p.shift[0], p.shift[1], p.shift[2]],
        correlation,
        ...(p.overlap ? { overlap: [...p.overlap] as Vec3 } : {}),
        weight: linkWeight(correlation),
      };
      const existing = graph.edge(p.a, p.b);
      if (existing !== undefined) {
        duplicates++;
        const old = graph.getEdgeAttributes(existing);
        if (!(correlation > old.correlation)) return;
        // Keep the better record, in the orientation the old one used.
        const flip = old.a !== p.a;
        const shift: Vec3 = flip ? [-attrs.shift[0], -attrs.shift[1], -attrs.shift[2]] : attrs.shift;
        const replaced: LinkAttributes = { ...attrs, a: old.a, b: old.b, shift, index: old.index };
        graph.replaceEdgeAttributes(existing, replaced);
        links[old.index] = replaced;
        return;
      }
      const link: LinkAttributes = { ...attrs, index: links.length };
      graph.addUndirectedEdgeWithKey(key, p.a, p.b, link);
      links.push(link);
    });
    // A pair measured once and rejected once counts as measured.
    const nominalLinks = [...nominal.entries()].filter(([, l]) => !graph.hasEdge(l.a, l.b)).map(([, l]) => l);
    return new DisplacementGraph(tiles, graph, links, nominalLinks, duplicates);
  }

  /** The accepted links as flat arrays (all active, weights from `linkWeight`). */
  toLinkSystem(): LinkSystem {
    const m = this.links.length;
    const a = new Int32Array(m);
    const b = new Int32Array(m);
    const shift = new Float64Array(3 * m);
    const weight = new Float64Array(m);
    this.links.forEach((l, e) => {
      a[e] = this.indexOf.get(l.a)!;
      b[e] = this.indexOf.get(l.b)!;
      shift.set(l.shift, 3 * e);
      weight[e] = l.weight;
    });
    return { n: this.tiles.length, a, b, shift, weight };
  }

  /** Nominal positions interleaved (z, y, x), length 3n. */
  nominalPositions(): Float64Array {
    const x = new Float64Array(3 * this.tiles.length);
    this.tiles.forEach((t, i) => x.set(t.nominal, 3 * i));
    return x;
  }
}
