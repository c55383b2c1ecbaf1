/**
 * Per-file moto server for integration tests. Jest runs test files in parallel workers and
 * /moto-api/reset wipes every account, so files that reset between tests must not share the
 * global server: each file that calls useMoto() gets its own server, reset before every test.
 */
import { startMoto, type MotoServer, type StartMotoOptions } from './moto';

/** Registers beforeAll/afterAll/beforeEach hooks; returns a getter for the endpoint. */
export function useMoto(options: StartMotoOptions = {}): () => string {
  let server: MotoServer | undefined;
  beforeAll(async () => {
    server = await startMoto(options);
  });
  afterAll(async () => {
    await server?.stop();
    server = undefined;
  });
  beforeEach(async () => {
    await server?.reset();
  });
  return () => {
    if (!server) throw new Error('moto is not running: call useMoto() at the top of a describe');
    return server.endpoint;
  };
}
