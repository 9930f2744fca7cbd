// Every stage's job kinds, for entry points that may run any job (`stitchgraph worker`, the CLI,
// the library index). A stage with a new kind adds its `*-job-kind.ts` here, one line.
import './registration/register-pair-job-kind.js';
import './stitch/fuse-block-job-kind.js';
import './analysis/analyze-block-job-kind.js';
import './pyramid/pyramid-block-job-kind.js';
import './segmentation/segment-block-job-kind.js';
