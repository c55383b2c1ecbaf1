/**
 * A fault-injecting HTTP proxy in front of moto. It forwards every request and, at configurable
 * (runtime-changeable) rates drawn from a seeded PRNG, answers instead with the error responses
 * real AWS sends: IAM/STS query-protocol XML errors, Config JSON-protocol errors, HTTP 500/503,
 * dropped connections and slow responses. For Config PutEvaluations it can hand a share of the
 * evaluations back in FailedEvaluations (forwarding only the rest to moto). Node built-ins only.
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
  /** PRNG seed; the same seed and the same request sequence inject the same faults. */
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
  /** Restarts the PRNG and clears counters. */
  reseed(seed: number): void;
  /** Injected faults by kind (`throttle`, `http-500`, `http-503`, `drop`, `slow`, `error:<Code>`,
   *  `failed-evaluations`) and by `<service>.<operation>:<kind>`; `requests` counts everything. */
  counters(): Record<string, number>;
  resetCounters(): void;
  stop(): Promise<void>;
}

/** mulberry32: small, fast, seedable. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const STS_ACTIONS = new Set(['AssumeRole', 'GetCallerIdentity', 'GetSessionToken']);

function classify(headers: IncomingMessage['headers'], body: string): RequestInfo {
  const target = headers['x-amz-target'];
  if (typeof target === 'string' && target.length > 0) {
    let json: Record<string, unknown> | undefined;
    try {
      json = JSON.parse(body || '{}') as Record<string, unknown>;
    } catch {
      json = undefined;
    }
    const [prefix = '', operation = ''] = target.split('.');
    return {
      service: prefix.startsWith('StarlingDove') ? 'config' : 'other',
      operation,
      form: new URLSearchParams(),
      json,
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
  return { service, operation, form, json: undefined };
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
  let random = prng(options.seed ?? 1);
  let counts: Record<string, number> = {};
  const sockets = new Set<Socket>();

  const count = (info: RequestInfo, kind: string, by = 1) => {
    counts[kind] = (counts[kind] ?? 0) + by;
    const key = `${info.service}.${info.operation}:${kind}`;
    counts[key] = (counts[key] ?? 0) + by;
  };

  /** Draws the fault for one request (always the same number of draws, for reproducibility). */
  const draw = (info: RequestInfo): Fault | undefined => {
    for (const rule of rules) {
      const roll = random();
      if (rule.match(info) && roll < (rule.rate ?? 1)) return rule.fault;
    }
    const roll = random();
    let edge = 0;
    const pick = (rate: number | undefined) => {
      edge += rate ?? 0;
      return roll < edge;
    };
    if (pick(rates.throttle)) return { kind: 'throttle' };
    if (pick(rates.serverError)) {
      return { kind: 'server-error', status: random() < 0.5 ? 500 : 503 };
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
            if (random() < share) failed.push(evaluation);
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
    reseed(seed) {
      random = prng(seed);
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
