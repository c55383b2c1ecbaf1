/**
 * Jest globalSetup for the integration project. Starting the shared moto_server here also proves
 * python3 + moto are installed, so a missing install fails once with startMoto's install hint.
 * moto-harness.test.ts uses this server through MOTO_ENDPOINT. Jest runs test files in parallel
 * workers and /moto-api/reset wipes every account, so other files must not share it: they call
 * useMoto() (test/support/use-moto.ts) for a server of their own. The SDK's default
 * credential/region chain (also inherited by spawned CLI processes) gets moto's dummy values.
 */
import { startMoto, type MotoServer } from '../support/moto';

export interface MotoGlobal {
  __MOTO_SERVER__?: MotoServer;
}

export default async function globalSetup(): Promise<void> {
  const moto = await startMoto();
  (globalThis as MotoGlobal).__MOTO_SERVER__ = moto;
  process.env.MOTO_ENDPOINT = moto.endpoint;
  process.env.AWS_ACCESS_KEY_ID = 'testing';
  process.env.AWS_SECRET_ACCESS_KEY = 'testing';
  process.env.AWS_REGION = 'us-east-1';
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.AWS_PROFILE;
}
