/** Lambda entry point of the iam-user-hardware-mfa rule: parse, delegate to the shared runtime. */
import { createHandler } from '../runtime/handler';
import { rule } from './rule';

export const handler = createHandler(rule);
