// The public API of stitchgraph. Every export is named here; test/public-api.test.ts pins the list.
export { StitchgraphError, isStitchgraphError, type ErrorTag } from './errors.js';
export { openCampaign, campaignFromConfig, type Campaign, type TileInfo } from './campaign/open-campaign.js';
export { loadCampaignConfig, parseCampaignConfig } from './campaign/load-config.js';
export type { CampaignConfig, CampaignConfigInput } from './campaign/schema.js';
export { openTileArray, openFileStore, type TileArray, type Region } from './zarrio/tile-array.js';
export { createArray, writeRegion, createGroup } from './zarrio/write-array.js';
export type { TileDtype, TileTypedArray } from './zarrio/dtypes.js';
export type { Box3, Vec3 } from './geometry/box.js';
export { synthCampaign, type SynthOptions, type SynthTruth } from './synth/synth-campaign.js';
export { readPairsFile, writePairsFile, type PairRecord, type PairsFile } from './formats/pairs.js';
export { readPositionsFile, writePositionsFile, type PositionsFile, type TilePosition } from './formats/positions.js';
export type { Executor, Job, JobOutcome } from './distributed/executor.js';
export { optimizePositions, type OptimizedPositions, type OptimizeSummary, type LinkResidualRecord, type DroppedLinkRecord, type GroupRecord } from './graph/optimize-positions.js';
export { DisplacementGraph, type DisplacementTile } from './graph/displacement-graph.js';
export { formatQualityReport } from './graph/format-quality-report.js';
export { parseTileConfiguration, type FijiTileConfiguration, type FijiTileEntry } from './fiji/parse-tile-configuration.js';
export { formatTileConfiguration } from './fiji/format-tile-configuration.js';
export { fijiNominalPositions } from './fiji/fiji-nominal-positions.js';
