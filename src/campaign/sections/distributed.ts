import { z } from 'zod';
import { availableParallelism } from 'node:os';

const LocalSchema = z.strictObject({
  mode: z.literal('local'),
  /** worker_threads in the pool; defaults to the number of cores. */
  workers: z.number().int().min(1).default(() => availableParallelism()),
});

const NatsSchema = z.strictObject({
  mode: z.literal('nats'),
  servers: z.union([z.string(), z.array(z.string()).min(1)]),
  user: z.string().optional(),
  pass: z.string().optional(),
  token: z.string().optional(),
  creds: z.string().optional(),
  tls: z
    .strictObject({ ca: z.string().optional(), cert: z.string().optional(), key: z.string().optional() })
    .optional(),
  /** Prefix of the JetStream stream and KV bucket names. */
  stream_prefix: z.string().regex(/^[A-Za-z0-9_-]+$/).default('stitchgraph'),
  /** Seconds a worker has to ack (or signal progress) before the job is redelivered. */
  ack_wait_s: z.number().positive().default(30),
  /** Deliveries of one job (first run + retries) before it is reported failed. */
  max_deliver: z.number().int().min(1).default(3),
  /** Seconds to connect (and to reach JetStream) before failing with a clear error. */
  connect_timeout_s: z.number().positive().default(5),
  /** Seconds one JetStream API request (create a stream, store a result) may take on a busy server. */
  api_timeout_s: z.number().positive().default(30),
  /** Seconds before a job whose handler threw is offered again (NATS nak delay). */
  retry_delay_s: z.number().min(0).default(2),
  /** Keep the results bucket after a fully successful run (it is always kept when jobs failed or the run stopped early). */
  keep_results: z.boolean().default(false),
  /** Workers to start in-process alongside the coordinator (0: rely on external workers). */
  local_workers: z.number().int().min(0).default(0),
});

/** `distributed:` section: the local worker pool by default. */
export const DistributedSettingsSchema = z
  .discriminatedUnion('mode', [LocalSchema, NatsSchema])
  .prefault({ mode: 'local' });

export type DistributedSettings = z.infer<typeof DistributedSettingsSchema>;
export type NatsSettings = z.infer<typeof NatsSchema>;
export type NatsSettingsInput = z.input<typeof NatsSchema>;

/** NATS settings with every default filled in (for `--servers URL` and `stitchgraph worker`). */
export function natsSettings(input: Omit<NatsSettingsInput, 'mode'>): NatsSettings {
  return NatsSchema.parse({ ...input, mode: 'nats' });
}
