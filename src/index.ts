// The public API of stitchgraph. Every export is named here; test/public-api.test.ts pins the list.
export { StitchgraphError, isStitchgraphError, type ErrorTag } from './errors.js';
export { campaignFromConfig, type Campaign, type TileInfo } from './campaign/open-campaign.js';
// openCampaign with getView (lazy positions.json, nominal positions when absent): the library contract.
export { openCampaign, withViews, type StitchedCampaign } from './stitch/open-campaign.js';
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
export { StitchedVolume, type View, type ViewOptions, type StitchedVolumeOptions } from './stitch/stitched-volume.js';
export { openStitchedVolume } from './stitch/open-stitched-volume.js';
export type { BlendMode } from './stitch/blend-weight.js';
export { fuseVolume, type FuseOptions, type FuseResult } from './stitch/fuse-volume.js';
export { serveVolume, type ServeOptions, type VolumeServer } from './stitch/serve-volume.js';
