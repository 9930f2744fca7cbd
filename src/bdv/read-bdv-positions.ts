import { XMLParser } from 'fast-xml-parser';
import type { Vec3 } from '../geometry/box.js';
import { StitchgraphError } from '../errors.js';
import type { Affine3D } from './spimdata-xml.js';
import { composeAffine, solveLinear } from './bdv-transforms.js';

export interface BdvView {
  setup: number;
  /** ViewSetup name, else its tile attribute's name, else the setup id. */
  name: string;
  /** Image group path of the setup in the loader, when the loader lists one. */
  path?: string;
  /** Position of the view's voxel (0, 0, 0), (z, y, x), in the view's own voxel units. */
  position: Vec3;
  /** False when the registration holds more than a translation (rotation, shear, scaling). */
  translationOnly: boolean;
}

type XmlNode = Record<string, unknown>;
const IDENTITY: Affine3D = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0];
const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function xmlError(source: string, reason: string): StitchgraphError {
  return new StitchgraphError('InputError', `Cannot read BigStitcher project ${source}: ${reason}`, { details: { file: source } });
}

function parseAffine(text: unknown, source: string, setup: string): Affine3D {
  const v = String(text).trim().split(/\s+/).map(Number);
  if (v.length !== 12 || v.some((x) => !Number.isFinite(x))) throw xmlError(source, `setup ${setup}: an <affine> needs 12 numbers, got "${String(text)}"`);
  return v as Affine3D;
}

/** Names per setup id: ViewSetup name, else the name of its Tile attribute. */
function setupNames(seq: XmlNode): Map<number, string> {
  const setupsNode = (seq.ViewSetups ?? {}) as XmlNode;
  const tileNames = new Map<string, string>();
  for (const attrs of asList(setupsNode.Attributes as XmlNode | XmlNode[])) {
    if (attrs['@_name'] !== 'tile') continue;
    for (const t of asList(attrs.Tile as XmlNode | XmlNode[])) if (t.name !== undefined) tileNames.set(String(t.id), String(t.name));
  }
  const names = new Map<number, string>();
  for (const s of asList(setupsNode.ViewSetup as XmlNode | XmlNode[])) {
    const id = Number(s.id);
    const tile = (s.attributes as XmlNode | undefined)?.tile;
    names.set(id, s.name !== undefined ? String(s.name) : tile !== undefined && tileNames.has(String(tile)) ? tileNames.get(String(tile))! : String(id));
  }
  return names;
}

function loaderPaths(seq: XmlNode): Map<number, string> {
  const loader = (seq.ImageLoader ?? {}) as XmlNode;
  const groups = asList(((loader.zgroups ?? {}) as XmlNode).zgroup as XmlNode | XmlNode[]);
  return new Map(groups.map((g) => [Number(g['@_setup']), String(g['@_path'] ?? g.path ?? '')]));
}

/** The registration's full model (outermost transform listed first), and where voxel 0 lies. */
function viewFromRegistration(reg: XmlNode, source: string): { setup: number; position: Vec3; translationOnly: boolean } {
  const setup = String(reg['@_setup']);
  const model = asList(reg.ViewTransform as XmlNode | XmlNode[]).reduce<Affine3D>((m, t) => composeAffine(m, parseAffine(t.affine, source, setup)), IDENTITY);
  const p = solveLinear(model, [model[3], model[7], model[11]]);
  if (!p) throw xmlError(source, `setup ${setup}: the registration is singular`);
  const off = [model[1], model[2], model[4], model[6], model[8], model[9]];
  const diag = [model[0], model[5], model[10]];
  const translationOnly = off.every((v) => Math.abs(v) < 1e-6 * Math.max(...diag.map(Math.abs))) && diag.every((v) => v > 0);
  return { setup: Number(setup), position: [p[2], p[1], p[0]], translationOnly };
}

/**
 * The views of a BigStitcher/BigDataViewer SpimData XML with the position of each view's voxel
 * 0: the registration M (all ViewTransforms composed) maps voxel v to M·v = L·v + t, and the
 * position is L⁻¹·t, in the view's voxels: exactly stitchgraph's tile position when L is a
 * diagonal calibration (BigStitcher's translation-only stitching). Only the first time point is read.
 */
export function readBdvPositions(text: string, source = 'dataset.xml'): BdvView[] {
  const doc = new XMLParser({ ignoreAttributes: false, parseTagValue: false }).parse(text) as XmlNode;
  const spim = doc.SpimData as XmlNode | undefined;
  if (!spim) throw xmlError(source, 'no <SpimData> element (is this a BigStitcher/BigDataViewer XML?)');
  const seq = (spim.SequenceDescription ?? {}) as XmlNode;
  const names = setupNames(seq);
  const paths = loaderPaths(seq);
  const regs = asList(((spim.ViewRegistrations ?? {}) as XmlNode).ViewRegistration as XmlNode | XmlNode[]);
  if (regs.length === 0) throw xmlError(source, 'no <ViewRegistration> elements');
  const firstTp = regs[0]['@_timepoint'];
  return regs
    .filter((r) => r['@_timepoint'] === firstTp)
    .map((r) => {
      const v = viewFromRegistration(r, source);
      return { ...v, name: names.get(v.setup) ?? String(v.setup), ...(paths.has(v.setup) ? { path: paths.get(v.setup) } : {}) };
    });
}
