/**
 * A fault-injecting HTTP proxy in front of moto. It forwards every request and, at configurable
 * (runtime-changeable) rates, answers instead with the error responses
 * real AWS sends: IAM/STS query-protocol XML errors, Config JSON-protocol errors, HTTP 500/503,
 * dropped connections and slow responses. For Config PutEvaluations it can hand a share of the
 * evaluations back in FailedEvaluations (forwarding only the rest to moto). Node built-ins only.
 *
 * Deterministic per request: whether a request draws a fault is a hash of the seed, the request
 * itself (service, operation, body) and how many times that same request was seen before, never a
 * position in one stream shared by every caller. Rules running side by side may interleave their
 * requests in any order and each request still meets the same faults; with `maxConsecutive`, no
 * request (or evaluation) fails more than that many times in a row, so a client that retries more
 * often than that always gets through, whatever the draw.
 */
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type Service = 'iam' | 'sts' | 'config' | 'other';

/** What the proxy knows about one request. */
export interface RequestInfo {
  service: Service;
  /** `ListUsers`, `PutEvaluations`, …; '' when unknown. */
  operation: string;
  /** Query-protocol form parameters (IAM, STS). */
  form: URLSearchParams;
  /** JSON-protocol body (Config), when it parses. */
  json: Record<string, unknown> | undefined;
}

/** A modeled AWS error answered with the service's protocol. */
export interface AwsError {
  status: number;
  code: string;
  message: string;
}

export type Fault =
  | { kind: 'throttle' }
  | { kind: 'server-error'; status: 500 | 503 }
  | { kind: 'drop' }
  | { kind: 'slow'; ms: number }
  | { kind: 'error'; error: AwsError };

/** Probabilities (0–1) applied to every request; each request draws at most one fault. */
export interface FaultRates {
  throttle?: number;
  /** Split evenly between HTTP 500 and 503. */
  serverError?: number;
  drop?: number;
  slow?: number;
  /** Delay of a slow response (default 200 ms). */
  slowMs?: number;
  /** Share of the evaluations of each PutEvaluations handed back in FailedEvaluations. */
  failedEvaluations?: number;
  /**
   * At most this many faults in a row for one request (the same service, operation and body) or
   * one evaluation (same result token, resource type and id); the next attempt goes through.
   * Default: no limit.
   */
  maxConsecutive?: number;
}

/** A targeted fault: applied with `rate` to requests `match` accepts, before the global rates. */
export interface FaultRule {
  match: (info: RequestInfo) => boolean;
  fault: Fault;
  /** Default 1. */
  rate?: number;
}

export interface FaultProxyOptions {
  /** The moto endpoint, e.g. `http://127.0.0.1:5000`. */
  target: string;
  /** Seed: the same seed and the same requests inject the same faults, in any order. */
  seed?: number;
  rates?: FaultRates;
  rules?: FaultRule[];
}

export interface FaultProxy {
  endpoint: string;
  /** Replaces the global rates. */
  setRates(rates: FaultRates): void;
  /** Replaces the targeted rules. */
  setRules(rules: FaultRule[]): void;
  /** Restarts the draws (every request counts as unseen) and clears counters. */
  reseed(seed: number): void;
  /** Injected faults by kind (`throttle`, `http-500`, `http-503`, `drop`, `slow`, `error:<Code>`,
   *  `failed-evaluations`) and by `<service>.<operation>:<kind>`; `requests` counts everything. */
  counters(): Record<string, number>;
  resetCounters(): void;
  stop(): Promise<void>;
}

/** A number in [0, 1) from a seed and a text: FNV-1a, then mulberry32's finalizer. */
function hashRoll(seed: number, text: string): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  let t = (h + 0x6d2b79f5) >>> 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * Rolls for keys: the n-th roll for a key is fixed by (seed, key, n), so concurrent callers that
 * interleave differently still get the same outcome per request. Tracks faults in a row per key.
 */
function roller(seed: number) {
  const seen = new Map<string, number>();
  const streak = new Map<string, number>();
  return {
    /** The next roll for `key`, and whether `limit` faults in a row already happened. */
    next(key: string, limit: number | undefined): { roll: number; capped: boolean } {
      const n = (seen.get(key) ?? 0) + 1;
      seen.set(key, n);
      const capped = limit !== undefined && (streak.get(key) ?? 0) >= limit;
      return { roll: hashRoll(seed, `${key}\u0000${String(n)}`), capped };
    },
    /** Records whether the last attempt for `key` was a fault. */
    outcome(key: string, faulted: boolean): void {
      if (faulted) streak.set(key, (streak.get(key) ?? 0) + 1);
      else streak.delete(key);
    },
  };
}

const STS_ACTIONS = new Set(['AssumeRole', 'GetCallerIdentity', 'GetSessionToken']);

function classify(
  headers: IncomingMessage['headers'],
  body: string,
): RequestInfo & { key: string } {
  const target = headers['x-amz-target'];
  if (typeof target === 'string' && target.length > 0) {
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(body || '{}') as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    const [prefix = '', operation = ''] = target.split('.');
    const service: Service = prefix.startsWith('StarlingDove') ? 'config' : 'other';
    return {
      service,
      operation,
      form: new URLSearchParams(),
      json,
      key: `${service}.${operation}\u0000${body}`,
    };
  }
  const form = new URLSearchParams(body);
  const operation = form.get('Action') ?? '';
  const scope = /Credential=[^/]*\/[^/]*\/[^/]*\/([^/]+)\//.exec(headers.authorization ?? '')?.[1];
  const service: Service =
    scope === 'sts' || (scope === undefined && STS_ACTIONS.has(operation))
      ? 'sts'
      : scope === 'iam' || (scope === undefined && operation !== '')
        ? 'iam'
        : 'other';
  return { service, operation, form, json: undefined, key: `${service}.${operation}\u0000${body}` };
}

let requestCounter = 0;
const requestId = () => `fault-proxy-${String(++requestCounter).padStart(8, '0')}`;

function errorResponse(
  info: RequestInfo,
  error: AwsError,
): { headers: Record<string, string>; body: string } {
  if (info.service === 'config' || info.service === 'other') {
    return {
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-errortype': error.code,
        'x-amzn-requestid': requestId(),
      },
      body: JSON.stringify({ __type: error.code, message: error.message }),
    };
  }
  const type = error.status >= 500 ? 'Receiver' : 'Sender';
  return {
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId() },
    body:
      `<ErrorResponse xmlns="https://${info.service}.amazonaws.com/doc/2010-05-08/">` +
      `<Error><Type>${type}</Type><Code>${error.code}</Code><Message>${error.message}</Message></Error>` +
      `<RequestId>${requestId()}</RequestId></ErrorResponse>`,
  };
}

function throttleError(info: RequestInfo): AwsError {
  return info.service === 'config'
    ? { status: 400, code: 'ThrottlingException', message: 'Rate exceeded' }
    : { status: 400, code: 'Throttling', message: 'Rate exceeded' };
}

function serverError(info: RequestInfo, status: 500 | 503): AwsError {
  if (status === 503) {
    return { status, code: 'ServiceUnavailable', message: 'Service is unavailable' };
  }
  return {
    status,
    code: info.service === 'config' ? 'InternalFailure' : 'InternalFailure',
    message: 'We encountered an internal error. Please try again.',
  };
}

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, ms);
  });

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const targetUrl = new URL(options.target);
  let rates: FaultRates = options.rates ?? {};
  let rules: FaultRule[] = options.rules ?? [];
  let seed = options.seed ?? 1;
  let rolls = roller(seed);
  let counts: Record<string, number> = {};
  const sockets = new Set<Socket>();

  const count = (info: RequestInfo, kind: string, by = 1) => {
    counts[kind] = (counts[kind] ?? 0) + by;
    const key = `${info.service}.${info.operation}:${kind}`;
    counts[key] = (counts[key] ?? 0) + by;
  };

  /** Draws the fault for one request: a function of the seed, the request and its repetition. */
  const draw = (info: RequestInfo & { key: string }): Fault | undefined => {
    const { roll, capped } = rolls.next(info.key, rates.maxConsecutive);
    const fault = capped ? undefined : pickFault(info, roll);
    rolls.outcome(info.key, fault !== undefined && fault.kind !== 'slow');
    return fault;
  };
  const pickFault = (info: RequestInfo, roll: number): Fault | undefined => {
    for (const [index, rule] of rules.entries()) {
      if (
        rule.match(info) &&
        hashRoll(seed, `rule${String(index)}\u0000${String(roll)}`) < (rule.rate ?? 1)
      ) {
        return rule.fault;
      }
    }
    let edge = 0;
    const pick = (rate: number | undefined) => {
      edge += rate ?? 0;
      return roll < edge;
    };
    if (pick(rates.throttle)) return { kind: 'throttle' };
    if (pick(rates.serverError)) {
      return { kind: 'server-error', status: hashRoll(seed, String(roll)) < 0.5 ? 500 : 503 };
    }
    if (pick(rates.drop)) return { kind: 'drop' };
    if (pick(rates.slow)) return { kind: 'slow', ms: rates.slowMs ?? 200 };
    return undefined;
  };

  const forward = (
    req: IncomingMessage,
    body: Buffer,
  ): Promise<{ status: number; headers: IncomingMessage['headers']; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers = {
        ...req.headers,
        host: targetUrl.host,
        'content-length': String(body.length),
      };
      delete headers['transfer-encoding'];
      const upstream = httpRequest(
        {
          hostname: targetUrl.hostname,
          port: targetUrl.port,
          method: req.method,
          path: req.url,
          headers,
          // No pooled keep-alive sockets to moto: nothing outlives stop().
          agent: false,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            resolve({
              status: res.statusCode ?? 502,
              headers: res.headers,
              body: Buffer.concat(chunks),
            });
          });
          res.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks);
        const info = classify(req.headers, raw.toString('utf8'));
        counts.requests = (counts.requests ?? 0) + 1;
        const fault = draw(info);
        const reply = (error: AwsError) => {
          const { headers, body } = errorResponse(info, error);
          res.writeHead(error.status, { ...headers, 'content-length': Buffer.byteLength(body) });
          res.end(body);
        };
        if (fault?.kind === 'drop') {
          count(info, 'drop');
          req.socket.destroy();
          return;
        }
        if (fault?.kind === 'throttle') {
          count(info, 'throttle');
          reply(throttleError(info));
          return;
        }
        if (fault?.kind === 'server-error') {
          count(info, `http-${String(fault.status)}`);
          reply(serverError(info, fault.status));
          return;
        }
        if (fault?.kind === 'error') {
          count(info, `error:${fault.error.code}`);
          reply(fault.error);
          return;
        }
        if (fault?.kind === 'slow') {
          count(info, 'slow');
          await sleep(fault.ms);
        }

        let body = raw;
        let failed: unknown[] = [];
        const share = rates.failedEvaluations ?? 0;
        const evaluations = info.json?.Evaluations;
        if (
          info.service === 'config' &&
          info.operation === 'PutEvaluations' &&
          Array.isArray(evaluations)
        ) {
          const kept: unknown[] = [];
          for (const evaluation of evaluations) {
            const e = evaluation as Record<string, unknown>;
            const key = `evaluation\u0000${String(info.json?.ResultToken)}\u0000${String(e.ComplianceResourceType)}\u0000${String(e.ComplianceResourceId)}`;
            const { roll, capped } = rolls.next(key, rates.maxConsecutive);
            const fail = !capped && roll < share;
            rolls.outcome(key, fail);
            if (fail) failed.push(evaluation);
            else kept.push(evaluation);
          }
          if (failed.length > 0) count(info, 'failed-evaluations', failed.length);
          if (kept.length === 0) {
            const text = JSON.stringify({ FailedEvaluations: failed });
            res.writeHead(200, {
              'content-type': 'application/x-amz-json-1.1',
              'x-amzn-requestid': requestId(),
              'content-length': Buffer.byteLength(text),
            });
            res.end(text);
            return;
          }
          body = Buffer.from(JSON.stringify({ ...info.json, Evaluations: kept }));
        }
        const upstream = await forward(req, body);
        let out = upstream.body;
        if (failed.length > 0 && upstream.status === 200) {
          const parsed = JSON.parse(out.toString('utf8') || '{}') as {
            FailedEvaluations?: unknown[];
          };
          failed = [...(parsed.FailedEvaluations ?? []), ...failed];
          out = Buffer.from(JSON.stringify({ ...parsed, FailedEvaluations: failed }));
        }
        const headers = { ...upstream.headers, 'content-length': String(out.length) };
        delete headers['transfer-encoding'];
        res.writeHead(upstream.status, headers);
        res.end(out);
      })().catch((error: unknown) => {
        counts['proxy-error'] = (counts['proxy-error'] ?? 0) + 1;
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'text/plain' });
        }
        res.end(String(error));
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${String(port)}`,
    setRates(next) {
      rates = next;
    },
    setRules(next) {
      rules = next;
    },
    reseed(next) {
      seed = next;
      rolls = roller(seed);
      counts = {};
    },
    counters: () => ({ ...counts }),
    resetCounters() {
      counts = {};
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Matches requests by service and operation (and optionally a predicate on the request). */
export function on(
  service: Service,
  operation: string,
  when: (info: RequestInfo) => boolean = () => true,
): (info: RequestInfo) => boolean {
  return (info) => info.service === service && info.operation === operation && when(info);
}
