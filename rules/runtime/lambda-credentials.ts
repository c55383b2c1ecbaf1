/**
 * The credential chain of the deployed functions: esbuild puts this module in place of
 * `@aws-sdk/credential-provider-node` when CDK bundles a rule (`LAMBDA_ESBUILD_ALIASES` in
 * infra/settings.ts). The CLI, the tests and the demo keep the SDK's full default chain.
 *
 * Lambda hands a function its execution role's credentials in environment variables. The SDK's
 * default chain would also try shared config files, SSO, credential processes, web identity and
 * EC2 instance metadata, none of which exists in Lambda; that code is a quarter of a rule's bundle
 * and is parsed on every cold start. Kept: the environment, then a container credentials endpoint
 * if the environment advertises one. Anything else fails with the SDK's own error before a single
 * AWS call, so a missing credential can never turn into a verdict.
 */
import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';
import { fromHttp, type FromHttpOptions } from '@aws-sdk/credential-provider-http';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

const CONTAINER_ENDPOINTS = [
  'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
] as const;

/** Same name and shape as the SDK's `defaultProvider`, which the clients' runtime config calls. */
export function defaultProvider(
  init: FromEnvInit & FromHttpOptions = {},
): AwsCredentialIdentityProvider {
  const env = fromEnv(init);
  const container = CONTAINER_ENDPOINTS.some((name) => process.env[name])
    ? fromHttp(init)
    : undefined;
  return async (): Promise<AwsCredentialIdentity> => {
    try {
      return await env();
    } catch (error) {
      if (container) return container();
      throw error;
    }
  };
}
