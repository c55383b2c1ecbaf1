/**
 * CDK app entry point (cdk.json: `npx tsx infra/app.ts`). Synthesizes both stacks; deploy the one
 * that fits by name: `npx cdk deploy MfaConfigRules-Account` or `MfaConfigRules-Organization`.
 */
import { buildApp } from './app-builder';

buildApp().app.synth();
