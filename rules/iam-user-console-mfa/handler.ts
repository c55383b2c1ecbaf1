/** Lambda entry point of the iam-user-console-mfa rule: parse, delegate to the shared runtime. */
import { changeLogFromEnvironment } from '../runtime/freshness/change-log';
import { createHandler } from '../runtime/handler';
import { rule } from './rule';

// The event path's change log, when the stack deploys it (freshness 'events').
const changeLog = changeLogFromEnvironment();

export const handler = createHandler(rule, changeLog ? { changeLog } : {});
