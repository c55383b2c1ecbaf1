/** Jest globalTeardown: stops the moto_server started by global-setup.ts. */
import type { MotoGlobal } from './global-setup';

export default async function globalTeardown(): Promise<void> {
  const holder = globalThis as MotoGlobal;
  await holder.__MOTO_SERVER__?.stop();
  holder.__MOTO_SERVER__ = undefined;
}
