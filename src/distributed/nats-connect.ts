import { existsSync, readFileSync } from 'node:fs';
import { connect, credsAuthenticator, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { StitchgraphError } from '../errors.js';
import type { NatsSettings } from '../campaign/sections/distributed.js';

export type NatsConnectionSettings = Pick<NatsSettings, 'servers' | 'user' | 'pass' | 'token' | 'creds' | 'tls' | 'connect_timeout_s'> & { api_timeout_s?: number };

/** Milliseconds one JetStream API request may take. */
export function apiTimeoutMs(settings: { api_timeout_s?: number }): number {
  return Math.round((settings.api_timeout_s ?? 30) * 1000);
}

export interface NatsSession {
  nc: NatsConnection;
  jsm: JetStreamManager;
}

/**
 * Connect to NATS and check that JetStream answers, all within `connect_timeout_s`: an
 * unreachable server, bad credentials or a server without `-js` fail with one clear
 * `ExecutorError` instead of a hang. Once connected, the client reconnects on its own for as long
 * as it takes (`reconnect: forever`), so a server restart does not kill a long run.
 */
export async function connectNats(settings: NatsConnectionSettings, name: string): Promise<NatsSession> {
  const servers = Array.isArray(settings.servers) ? settings.servers : settings.servers.split(',').map((s) => s.trim());
  const timeoutMs = Math.round(settings.connect_timeout_s * 1000);
  const where = servers.join(', ');
  const opts: NodeConnectionOptions = {
    servers,
    name,
    timeout: timeoutMs,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 1000,
  };
  if (settings.user !== undefined) opts.user = settings.user;
  if (settings.pass !== undefined) opts.pass = settings.pass;
  if (settings.token !== undefined) opts.token = settings.token;
  if (settings.creds !== undefined) {
    let creds: Uint8Array;
    try {
      creds = readFileSync(settings.creds);
    } catch (err) {
      throw new StitchgraphError('ConfigError', `Cannot read NATS credentials file ${settings.creds}: ${(err as Error).message}`, { cause: err });
    }
    opts.authenticator = credsAuthenticator(creds);
  }
  for (const [what, file] of Object.entries(settings.tls ?? {})) {
    // Else the client says only "server does not support 'tls'".
    if (file !== undefined && !existsSync(file)) throw new StitchgraphError('ConfigError', `Cannot read the TLS ${what} file ${file}: no such file (fix --tls-${what} or distributed.tls.${what})`, { details: { file } });
  }
  if (settings.tls) opts.tls = { caFile: settings.tls.ca, certFile: settings.tls.cert, keyFile: settings.tls.key };

  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${settings.connect_timeout_s} s`)), timeoutMs);
  });
  let nc: NatsConnection | undefined;
  try {
    nc = await Promise.race([connect(opts), deadline]);
  } catch (err) {
    clearTimeout(timer);
    throw new StitchgraphError(
      'ExecutorError',
      `Cannot connect to NATS at ${where}: ${(err as Error).message} (start \`nats-server -js\` there, or fix distributed.servers / --servers and the credentials)`,
      { cause: err, details: { servers } },
    );
  }
  try {
    await Promise.race([jetstreamManager(nc, { timeout: timeoutMs }), deadline]);
    // Later requests get the (longer) API timeout: a loaded server answers slowly, not never.
    const jsm = await jetstreamManager(nc, { timeout: apiTimeoutMs(settings), checkAPI: false });
    return { nc, jsm };
  } catch (err) {
    await nc.close().catch(() => {});
    throw new StitchgraphError(
      'ExecutorError',
      `Cannot use JetStream on NATS at ${where}: ${(err as Error).message} (the server must run with JetStream enabled: \`nats-server -js\`)`,
      { cause: err, details: { servers } },
    );
  } finally {
    clearTimeout(timer);
  }
}
