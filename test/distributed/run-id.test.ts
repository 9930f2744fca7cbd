import { describe, it, expect } from 'vitest';
import { runIdFor } from '../../src/distributed/run-id.js';
import { jobKey, natsNames } from '../../src/distributed/nats-names.js';
import type { Job } from '../../src/distributed/executor.js';

const jobs: Job[] = [
  { id: 'a~b', kind: 'register-pair', payload: { a: 'a', b: 'b', opts: { peaks: 5, down: [1, 2, 2] } } },
  { id: 'b~c', kind: 'register-pair', payload: { a: 'b', b: 'c', opts: { peaks: 5, down: [1, 2, 2] } } },
];

describe('runIdFor', () => {
  it('is the same for the same campaign, stage and job set, whatever the order of jobs or payload keys', () => {
    const id = runIdFor({ campaignFile: '/x/c.yaml', stage: 'register', jobs });
    const shuffled: Job[] = [jobs[1], { ...jobs[0], payload: { opts: { down: [1, 2, 2], peaks: 5 }, b: 'b', a: 'a' } }];
    expect(runIdFor({ campaignFile: '/x/c.yaml', stage: 'register', jobs: shuffled })).toBe(id);
    expect(id).toMatch(/^register-[0-9a-f]{20}$/);
  });

  it('changes with the campaign, the stage, a parameter or the job set', () => {
    const id = runIdFor({ campaignFile: '/x/c.yaml', stage: 'register', jobs });
    expect(runIdFor({ campaignFile: '/y/c.yaml', stage: 'register', jobs })).not.toBe(id);
    expect(runIdFor({ campaignFile: '/x/c.yaml', stage: 'fuse', jobs })).not.toBe(id);
    expect(runIdFor({ campaignFile: '/x/c.yaml', stage: 'register', jobs: [jobs[0]] })).not.toBe(id);
    const changed: Job[] = [jobs[0], { ...jobs[1], payload: { a: 'b', b: 'c', opts: { peaks: 6, down: [1, 2, 2] } } }];
    expect(runIdFor({ campaignFile: '/x/c.yaml', stage: 'register', jobs: changed })).not.toBe(id);
  });

  it('with `work`, names the work, not the batch: a rerun that sends only the missing jobs gets the same id', () => {
    const work = jobs.map((j) => [j.id, 'resume-key']);
    const id = runIdFor({ campaignFile: '/x/c.yaml', stage: 'register', jobs, work });
    expect(runIdFor({ campaignFile: '/x/c.yaml', stage: 'register', jobs: [jobs[1]], work })).toBe(id);
    expect(runIdFor({ campaignFile: '/x/c.yaml', stage: 'register', jobs: [jobs[1]], work: [...work, ['c~d', 'k']] })).not.toBe(id);
    expect(runIdFor({ campaignFile: '/x/c.yaml', stage: 'fuse', jobs, work })).not.toBe(id);
  });

  it('gives names NATS accepts (stream, bucket, subject tokens) for any job id', () => {
    const names = natsNames('stitchgraph', runIdFor({ stage: 'register pairs!', jobs }));
    for (const n of [names.stream, names.resultsBucket, names.runsBucket]) expect(n).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(jobKey('t 0.0/weird*id>')).toMatch(/^[0-9a-f]{32}$/);
    expect(jobKey('a')).not.toBe(jobKey('b'));
  });
});
