import { describe, it, expect } from 'vitest';
import * as api from '../src/index.js';

/**
 * The public API, pinned (after zarrita.js' public-api test): an export added, renamed or removed
 * shows up here and so in review. Update the list deliberately.
 */
describe('public API', () => {
  it('exports exactly these names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "ChunkCache",
        "DisplacementGraph",
        "NatsExecutor",
        "NatsWorker",
        "PixelClassifier",
        "RandomForest",
        "StitchedVolume",
        "StitchgraphError",
        "TiffFile",
        "WorkerPoolExecutor",
        "analyzeCampaign",
        "analyzeSegmented",
        "analyzeVolume",
        "buildCampaignPyramids",
        "buildPyramids",
        "campaignFromConfig",
        "configureDecodePool",
        "createArray",
        "createExecutor",
        "createGroup",
        "distanceTransform",
        "fijiNominalPositions",
        "forgetTilePyramids",
        "formatQualityReport",
        "formatQueryResult",
        "formatTileConfiguration",
        "fuseCampaign",
        "fuseVolume",
        "galleryStudy",
        "importTiffCampaign",
        "isStitchgraphError",
        "labelComponents",
        "levelBox",
        "loadCampaignConfig",
        "loadStudy",
        "localBlockSource",
        "openCampaign",
        "openFileStore",
        "openStitchedVolume",
        "openStudyDatabase",
        "openTileArray",
        "openTilePyramid",
        "optimizeCampaign",
        "optimizePositions",
        "parseCampaignConfig",
        "parseTileConfiguration",
        "pixelFeatures",
        "pyramidFactors",
        "pyramidStorePath",
        "queryStudy",
        "queryStudyDatabase",
        "readClassifierModel",
        "readOmeMultiscales",
        "readPairsFile",
        "readPositionsFile",
        "registerCampaign",
        "registerJobKind",
        "registerRegions",
        "runCampaign",
        "runIdFor",
        "runJobs",
        "runStudy",
        "segmentVolume",
        "serveVolume",
        "sharedChunkCache",
        "skeletonGraph",
        "skeletonGraphology",
        "skeletonizeLee",
        "synthCampaign",
        "trainClassifier",
        "vesselness",
        "withViews",
        "writeClassifierModel",
        "writeNetwork",
        "writePairsFile",
        "writePositionsFile",
        "writeRegion",
        "writeSampleTables",
        "zarrBlockSource",
      ]
    `);
  });

  it('openCampaign gives campaigns with getView (the library contract)', () => {
    expect(typeof api.openCampaign).toBe('function');
    expect(typeof api.withViews).toBe('function');
  });
});
