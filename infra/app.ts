/**
 * CDK app entry point (cdk.json: `npx tsx infra/app.ts`). Synthesizes both stacks; deploy the one
 * that fits by name: `npx cdk deploy MfaConfigRules-Account` or `MfaConfigRules-Organization`.
 *
 * From a checkout, the app first rebuilds the rules' Lambda bundles (dist/bundles, as
 * `npm run build` does), so what it deploys is always the current sources.
 */
import { buildBundles } from '../scripts/build';
import { buildApp } from './app-builder';

buildBundles();
buildApp().app.synth();
