/**
 * Start/stop helper for the extended moto_server in test/moto/server.py, plus typed wrappers for
 * its control endpoints. Node built-ins only, so the demo and the benchmark can use it too.
 */
import {
  ConfigServiceClient,
  PutConfigurationAggregatorCommand,
} from '@aws-sdk/client-config-service';
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const TEST_ACCOUNT_ID = '123456789012';

const NOT_AVAILABLE =
  "moto_server not available: install moto 5.2.1 (pip install 'moto[server]==5.2.1')";
const READY_TIMEOUT_MS = 30_000;
const POLL_INTERVAL_MS = 100;
/** server.py exits with this code when moto or flask cannot be imported. */
const EXIT_IMPORT_ERROR = 3;

export interface MotoServer {
  /** Base URL, e.g. `http://127.0.0.1:54321`. */
  endpoint: string;
  port: number;
  /** POST /moto-api/reset: wipes moto and all extension state. */
  reset(): Promise<void>;
  /** Kills the server and resolves once it has exited. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  /** Extra environment, e.g. `{ MOTO_EXT_SHORT_PAGES: '1', MOTO_EXT_REPORT_DELAY_MS: '0' }`. */
  env?: Record<string, string>;
}

/** Body of POST /moto-ext/root. Absent fields are left unchanged. */
export interface RootState {
  /** Defaults to TEST_ACCOUNT_ID. */
  accountId?: string;
  mfaEnabled?: boolean;
  passwordPresent?: boolean;
  accessKeysPresent?: boolean;
  signingCertificatesPresent?: boolean;
  /** Serial of a device made with CreateVirtualMFADevice to assign to root; null unassigns. */
  virtualMfaSerial?: string | null;
  /** GetAccountSummary keys to leave out of SummaryMap (replaces the previous list). */
  omitSummaryKeys?: string[];
}

export type SeedMfa = 'none' | 'virtual' | 'hardware';

export interface SeedUser {
  name: string;
  /** Defaults to '/'. */
  path?: string;
  /** Creates a login profile. Defaults to false. */
  consolePassword?: boolean;
  /** Defaults to 'none'. */
  mfa?: SeedMfa;
}

export interface SeededUser {
  name: string;
  userId: string;
  arn: string;
}

export interface MotoClientConfig {
  endpoint: string;
  region: 'us-east-1';
  credentials: { accessKeyId: 'testing'; secretAccessKey: 'testing' };
}

/** Client config for any AWS SDK v3 client pointed at moto. */
export function motoClientConfig(endpoint: string): MotoClientConfig {
  return {
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  };
}

async function postJson(endpoint: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${endpoint}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`moto ${path} failed with HTTP ${response.status}: ${text}`);
  }
  return text === '' ? undefined : (JSON.parse(text) as unknown);
}

export async function resetMoto(endpoint: string): Promise<void> {
  await postJson(endpoint, '/moto-api/reset', {});
}

export async function setRootState(endpoint: string, state: RootState): Promise<void> {
  await postJson(endpoint, '/moto-ext/root', { accountId: TEST_ACCOUNT_ID, ...state });
}

/** Ages the account's current credential report past the 4-hour limit. */
export async function expireCredentialReport(endpoint: string, accountId: string): Promise<void> {
  await postJson(endpoint, '/moto-ext/report/expire', { accountId });
}

/**
 * AWS requests moto received by operation since the last call (needs MOTO_EXT_COUNT_CALLS=1 in the
 * server's environment); the counts start again from zero.
 */
export async function takeCallCounts(endpoint: string): Promise<Record<string, number>> {
  const response = await fetch(`${endpoint}/moto-ext/calls`);
  if (!response.ok) throw new Error(`moto /moto-ext/calls failed with HTTP ${response.status}`);
  return ((await response.json()) as { calls: Record<string, number> }).calls;
}

/**
 * Which of two evaluations of one resource the extended moto keeps, as AWS does not document it:
 * the last one written (the server's default) or the one with the newest OrderingTimestamp.
 */
/** A configuration aggregator over `accountIds` in every Region (the harness answers its queries). */
export async function createAggregator(
  endpoint: string,
  name: string,
  accountIds: readonly string[],
): Promise<void> {
  const config = new ConfigServiceClient(motoClientConfig(endpoint));
  try {
    await config.send(
      new PutConfigurationAggregatorCommand({
        ConfigurationAggregatorName: name,
        AccountAggregationSources: [{ AccountIds: [...accountIds], AllAwsRegions: true }],
      }),
    );
  } finally {
    config.destroy();
  }
}

export type EvaluationKeep = 'last-write' | 'latest-ordering';

export async function setConfigStore(
  endpoint: string,
  keep: EvaluationKeep,
  accountId: string = TEST_ACCOUNT_ID,
): Promise<void> {
  await postJson(endpoint, '/moto-ext/config-store', { accountId, keep });
}

/** Creates users server-side in one request (thousands per second). */
export async function seedUsers(
  endpoint: string,
  accountId: string,
  users: SeedUser[],
): Promise<SeededUser[]> {
  const result = (await postJson(endpoint, '/moto-ext/seed-users', { accountId, users })) as {
    users: SeededUser[];
  };
  return result.users;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

async function answers(endpoint: string): Promise<boolean> {
  try {
    const response = await fetch(`${endpoint}/moto-ext/health`, {
      signal: AbortSignal.timeout(1_000),
    });
    return response.ok;
  } catch {
    return false;
  }
}

class PortTakenError extends Error {}

/**
 * Spawns test/moto/server.py on a free port and resolves once it answers. The process is killed
 * when the parent exits, and exits by itself if the parent dies (it watches its stdin pipe).
 * Set MOTO_PYTHON to use another interpreter than `python3`.
 */
export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  // The free port may be taken between probing and binding; try a few ports before giving up.
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(options);
    } catch (error) {
      if (!(error instanceof PortTakenError) || attempt >= 3) {
        throw error;
      }
    }
  }
}

async function launch(options: StartMotoOptions): Promise<MotoServer> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const python = process.env.MOTO_PYTHON ?? 'python3';
  const child: ChildProcess = spawn(
    python,
    [
      join(__dirname, '..', 'moto', 'server.py'),
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--watch-stdin',
    ],
    { env: { ...process.env, ...options.env }, stdio: ['pipe', 'ignore', 'pipe'] },
  );

  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-2_000);
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  // Neither the child nor its pipes may keep the parent's event loop alive.
  child.unref();
  for (const stream of [child.stdin, child.stderr]) {
    (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  const stop = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (spawnError !== undefined) {
      process.removeListener('exit', killOnExit);
      const code = (spawnError as NodeJS.ErrnoException).code;
      throw new Error(
        code === 'ENOENT' ? NOT_AVAILABLE : `${NOT_AVAILABLE}: ${spawnError.message}`,
      );
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      process.removeListener('exit', killOnExit);
      const detail = stderrTail.trim().split('\n').pop() ?? '';
      if (stderrTail.includes('Address already in use')) {
        throw new PortTakenError(`port ${String(port)} was taken: ${detail}`);
      }
      throw new Error(
        child.exitCode === EXIT_IMPORT_ERROR
          ? `${NOT_AVAILABLE} (${detail})`
          : `moto_server exited early (code ${String(child.exitCode)}): ${detail}`,
      );
    }
    if (await answers(endpoint)) {
      break;
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto_server did not answer on ${endpoint} within 30 s: ${stderrTail}`);
    }
    await sleep(POLL_INTERVAL_MS);
  }

  return {
    endpoint,
    port,
    reset: () => resetMoto(endpoint),
    stop,
  };
}
