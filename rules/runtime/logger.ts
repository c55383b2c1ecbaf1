/**
 * Structured JSON logs (Powertools for AWS Lambda). Logs carry counts, rule and account, never the
 * event (it holds the result token), credentials or credential report content.
 */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'mfa-config-rules' });
