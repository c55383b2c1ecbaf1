/**
 * Jest globalSetup for the integration project: one moto_server for the whole run. Tests find it
 * through MOTO_ENDPOINT; the SDK's default credential/region chain gets moto's dummy values.
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
