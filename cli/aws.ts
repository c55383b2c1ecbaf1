/** The AWS side of the CLI's commands: clients from the default credential chain. */
import { ClientProvider } from '../rules/runtime/clients';
import type { AwsOptions } from './options';

/**
 * Clients from the default credential chain, pointed at `--endpoint-url` and `--region` if given.
 * `--profile` works as in the AWS CLI: that profile's credentials and Region, even when static keys
 * are in the environment (the SDK reads `AWS_PROFILE`; this process is the CLI's own).
 */
export function clientProvider(options: AwsOptions): ClientProvider {
  if (options.profile) {
    process.env.AWS_PROFILE = options.profile;
    // Static keys the SDK would otherwise take before a named profile.
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    delete process.env.AWS_SESSION_TOKEN;
  }
  return new ClientProvider({
    ...(options.endpointUrl ? { endpoint: options.endpointUrl } : {}),
    ...(options.region ? { region: options.region } : {}),
  });
}
