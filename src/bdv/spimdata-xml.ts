/**
 * The SpimData XML that BigStitcher and BigDataViewer open (`dataset.xml`, SpimData version 0.2):
 * one ViewSetup per tile with its size and voxel size, one time point, the image loader, and one
 * ViewRegistration per tile whose ViewTransforms, listed outermost first as BigStitcher writes
 * them, map the tile's voxels (x, y, z) into BigStitcher's world frame.
 * (Pietzsch et al. 2015, doi:10.1038/nmeth.3392; Hörl et al. 2019, doi:10.1038/s41592-019-0501-0.)
 */

/** A 3×4 affine, row-major, on (x, y, z): [m00 m01 m02 tx, m10 m11 m12 ty, m20 m21 m22 tz]. */
export type Affine3D = [number, number, number, number, number, number, number, number, number, number, number, number];

export interface SpimViewSetup {
  id: number;
  /** The tile id. */
  name: string;
  /** Size in voxels, x y z (BigDataViewer's order). */
  size_xyz: [number, number, number];
  voxelSize_xyz: [number, number, number];
  unit: string;
}

export interface SpimViewTransform {
  name: string;
  affine: Affine3D;
}

/** `bdv.multimg.zarr`: one OME-Zarr image (t, c, z, y, x) per setup inside one Zarr container. */
export interface SpimZarrImageLoader {
  /** Container path, relative to the XML's folder when `relative`. */
  zarr: string;
  relative: boolean;
  /** Image group path inside the container, per setup id. */
  groups: { setup: number; path: string }[];
}

export interface SpimDataDocument {
  setups: SpimViewSetup[];
  /** Transforms per setup id, outermost (applied last) first. */
  registrations: Map<number, SpimViewTransform[]>;
  imageLoader: SpimZarrImageLoader;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const num = (v: number) => String(Math.round(v * 1e9) / 1e9 + 0);

function imageLoaderXml(l: SpimZarrImageLoader): string[] {
  return [
    '    <ImageLoader format="bdv.multimg.zarr" version="3.0">',
    `      <zarr type="${l.relative ? 'relative' : 'absolute'}">${escapeXml(l.zarr)}</zarr>`,
    '      <zgroups>',
    ...l.groups.map((g) => `        <zgroup setup="${g.setup}" tp="0" path="${escapeXml(g.path)}" indicies="[]" />`),
    '      </zgroups>',
    '    </ImageLoader>',
  ];
}

function viewSetupXml(s: SpimViewSetup): string[] {
  return [
    '      <ViewSetup>',
    `        <id>${s.id}</id>`,
    `        <name>${escapeXml(s.name)}</name>`,
    `        <size>${s.size_xyz.join(' ')}</size>`,
    '        <voxelSize>',
    `          <unit>${escapeXml(s.unit)}</unit>`,
    `          <size>${s.voxelSize_xyz.map(num).join(' ')}</size>`,
    '        </voxelSize>',
    '        <attributes>',
    '          <illumination>0</illumination>',
    '          <channel>0</channel>',
    `          <tile>${s.id}</tile>`,
    '          <angle>0</angle>',
    '        </attributes>',
    '      </ViewSetup>',
  ];
}

function attributesXml(setups: SpimViewSetup[]): string[] {
  const single = (kind: string, tag: string) => [`      <Attributes name="${kind}">`, `        <${tag}>`, '          <id>0</id>', '          <name>0</name>', `        </${tag}>`, '      </Attributes>'];
  return [
    ...single('illumination', 'Illumination'),
    ...single('channel', 'Channel'),
    '      <Attributes name="tile">',
    ...setups.flatMap((s) => ['        <Tile>', `          <id>${s.id}</id>`, `          <name>${escapeXml(s.name)}</name>`, '        </Tile>']),
    '      </Attributes>',
    ...single('angle', 'Angle'),
  ];
}

function registrationXml(setup: number, transforms: SpimViewTransform[]): string[] {
  return [
    `    <ViewRegistration timepoint="0" setup="${setup}">`,
    ...transforms.flatMap((t) => [
      '      <ViewTransform type="affine">',
      `        <Name>${escapeXml(t.name)}</Name>`,
      `        <affine>${t.affine.map(num).join(' ')}</affine>`,
      '      </ViewTransform>',
    ]),
    '    </ViewRegistration>',
  ];
}

/** The XML text of a SpimData document. */
export function formatSpimDataXml(doc: SpimDataDocument): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<SpimData version="0.2">',
    '  <BasePath type="relative">.</BasePath>',
    '  <SequenceDescription>',
    ...imageLoaderXml(doc.imageLoader),
    '    <ViewSetups>',
    ...doc.setups.flatMap(viewSetupXml),
    ...attributesXml(doc.setups),
    '    </ViewSetups>',
    '    <Timepoints type="pattern">',
    '      <integerpattern>0</integerpattern>',
    '    </Timepoints>',
    '    <MissingViews />',
    '  </SequenceDescription>',
    '  <ViewRegistrations>',
    ...doc.setups.flatMap((s) => registrationXml(s.id, doc.registrations.get(s.id) ?? [])),
    '  </ViewRegistrations>',
    '  <ViewInterestPoints />',
    '  <BoundingBoxes />',
    '  <PointSpreadFunctions />',
    '  <StitchingResults />',
    '  <IntensityAdjustments />',
    '</SpimData>',
  ];
  return lines.join('\n') + '\n';
}
