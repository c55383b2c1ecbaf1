/**
 * Runs a deployed rule bundle once, the way Lambda would: imports the bundle file, then calls its
 * `handler` with a periodic event (resultToken TESTMODE) and a Lambda-like context. Prints one JSON
 * line: {"loadMs": …, "ms": …, "peakRssMb": …, "nonCompliant": …}.
 *
 * bench/run.ts compiles this file with esbuild and starts it with plain `node` and the V8 memory
 * flags of the Lambda Node.js bootstrap; AWS_ENDPOINT_URL points the bundled SDK at moto.
 * Usage: node [flags] lambda-runner.mjs <bundle.mjs> <timeoutSeconds> [rule]
 */
import { pathToFileURL } from 'node:url';
import { lambdaContext, periodicTestEvent, type WorkerResult } from './events';

interface Summary {
  counts: { NON_COMPLIANT: number };
}

async function main(): Promise<void> {
  const [bundle, timeout, rule] = process.argv.slice(2);
  if (!bundle || !timeout)
    throw new Error('usage: lambda-runner.mjs <bundle.mjs> <timeoutSeconds> [rule]');
  const loadStarted = performance.now();
  const module = (await import(pathToFileURL(bundle).href)) as {
    handler: (event: unknown, context: unknown) => Promise<Summary>;
  };
  const loadMs = performance.now() - loadStarted;
  const started = performance.now();
  const summary = await module.handler(
    periodicTestEvent(rule),
    lambdaContext(Number(timeout), rule),
  );
  const result: WorkerResult & { loadMs: number } = {
    loadMs,
    ms: performance.now() - started,
    calls: {},
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    nonCompliant: summary.counts.NON_COMPLIANT,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
