// The public API of stitchgraph. Every export is named here; test/public-api.test.ts pins the list.
export { StitchgraphError, isStitchgraphError, type ErrorTag } from './errors.js';
export { openCampaign, campaignFromConfig, type Campaign, type TileInfo } from './campaign/open-campaign.js';
export { loadCampaignConfig, parseCampaignConfig } from './campaign/load-config.js';
export type { CampaignConfig, CampaignConfigInput } from './campaign/schema.js';
export { openTileArray, openFileStore, type TileArray, type Region } from './zarrio/tile-array.js';
export { createArray, writeRegion, createGroup } from './zarrio/write-array.js';
export type { TileDtype, TileTypedArray } from './zarrio/dtypes.js';
export type { ReadRegionOptions, OpenTileArrayOptions } from './zarrio/tile-array.js';
export { ChunkCache, sharedChunkCache, type ChunkCacheOptions } from './zarrio/chunk-cache.js';
export { configureDecodePool } from './zarrio/decode-pool.js';
export { importTiffCampaign, type ImportTiffCampaignOptions, type ImportTile } from './tiff/import-tiff-campaign.js';
export { TiffFile } from './tiff/tiff-file.js';
export type { Box3, Vec3 } from './geometry/box.js';
export { synthCampaign, type SynthOptions, type SynthTruth } from './synth/synth-campaign.js';
export { readPairsFile, writePairsFile, type PairRecord, type PairsFile } from './formats/pairs.js';
export { readPositionsFile, writePositionsFile, type PositionsFile, type TilePosition } from './formats/positions.js';
export type { Executor, Job, JobOutcome } from './distributed/executor.js';
