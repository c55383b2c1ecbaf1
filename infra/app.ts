/**
 * CDK app entry point (cdk.json: `npx tsx infra/app.ts`). Synthesizes the account stack, and the
 * organization stack when `-c organizationId=o-…` is given; deploy the one that fits by name:
 * `npx cdk deploy MfaConfigRules-Account` or `MfaConfigRules-Organization`.
 *
 * From a checkout, the app first rebuilds the rules' Lambda bundles (dist/bundles, as
 * `npm run build` does), so what it deploys is always the current sources.
 */
import { buildBundles } from '../scripts/build';
import { buildApp, ORGANIZATION_STACK_SKIPPED } from './app-builder';

// A mistake in the context (an unknown key, a bad value, an option a stack refuses) is one line,
// not a stack trace: the message says what to change.
try {
  buildBundles();
  const built = buildApp();
  if (!built.organization) process.stderr.write(`${ORGANIZATION_STACK_SKIPPED}\n`);
  built.app.synth();
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
