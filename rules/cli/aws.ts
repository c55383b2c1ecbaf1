/** The AWS side of the CLI's commands, loaded on first use: `rules`, `--version` and the usage start without it. */
import type * as Clients from '../runtime/clients';

export interface AwsOptions {
  endpointUrl?: string;
  region?: string;
}

/** Clients from the default credential chain, pointed at `--endpoint-url` and `--region` if given. */
export function clientProvider(options: AwsOptions): Clients.ClientProvider {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deliberately lazy
  const { ClientProvider } = require('../runtime/clients') as typeof Clients;
  return new ClientProvider({
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...(options.region ? { region: options.region } : {}),
  });
}
