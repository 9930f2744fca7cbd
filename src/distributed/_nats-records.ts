/** What a worker stores under a job's key in the run's results bucket (exactly once per job). */
export interface ResultRecord {
  id: string;
  ok: boolean;
  value?: unknown;
  error?: string;
  /** Handler time on the worker. */
  seconds: number;
  /** Worker id (`host-pid-n`), or `coordinator` for failures it records itself. */
  worker: string;
  /** Delivery number that produced this record (1 = first try). */
  attempt: number;
}

/** A run as announced in the runs bucket: everything a worker needs to serve it. */
export interface RunEntry {
  runId: string;
  stream: string;
  consumer: string;
  resultsBucket: string;
  subjectPrefix: string;
  ack_wait_s: number;
  max_deliver: number;
  retry_delay_s: number;
  jobs: number;
  campaign?: string;
  /** Stage label (`register`, `fuse`...). */
  stage?: string;
  created: string;
  /** `host-pid` of the coordinator that last announced the run. */
  coordinator?: string;
  /** Refreshed every HEARTBEAT_MS by a live coordinator: an old one marks an abandoned run. */
  heartbeat?: string;
}

/** How often a coordinator refreshes its run entry's heartbeat. */
export const HEARTBEAT_MS = 20_000;
