/**
 * The exemption tag of the users a rule is about to report NON_COMPLIANT, read at the fewest calls:
 *
 *   - per user, ListUserTags (one page: a user holds at most 50 tags), by default and whenever
 *     there are few such users, so an account with few findings pays almost nothing;
 *   - in bulk, GetAccountAuthorizationDetails (Filter User, up to 1,000 users a page, each with its
 *     tags), when the rule allows it and the users to read outnumber BULK_WORTH × the pages the
 *     account's users fill. Measured on the moto harness (BENCHMARKS.md, iam-user-mfa): with 2,250
 *     users to read among 5,000, the floor's time went from 15.9 s to 10.3 s and its IAM calls from
 *     4,510 to 2,264. A bulk page is far heavier than a ListUserTags answer (it carries every user's
 *     policies), hence the factor: an assumption, not a measurement against AWS.
 *
 * A user the bulk listing no longer has is asked per user, which tells "deleted" (NoSuchEntity).
 */
import { ListUserTagsCommand } from '@aws-sdk/client-iam';
import type { Deadline } from '../deadline';
import { DataLoadError, describeError, errorName } from '../errors';
import type { ExemptionTag } from '../exemptions';
import { iamMarker, pages } from '../pages';
import { mapPool } from '../pool';
import { AUTH_DETAILS_PAGE_SIZE, readAuthorizationDetails } from './authorization-details';
import { tagValue } from '../tags';
import type { GatherContext } from '../types';

/** One GetAccountAuthorizationDetails page is worth this many ListUserTags calls (assumption). */
export const BULK_WORTH = 10;

interface TagTarget {
  userId: string;
  userName: string;
}

export interface TagReads {
  /** By user id: the tag as read, or 'deleted' when IAM no longer has the user. */
  tags: Map<string, Extract<ExemptionTag, { read: true }> | 'deleted'>;
  inBulk: boolean;
  at: Date;
}

export async function readExemptionTags(
  ctx: GatherContext,
  targets: readonly TagTarget[],
  key: string,
  deadline: Deadline,
  options: { bulkAllowed: boolean; accountUsers: number; concurrency: number },
): Promise<TagReads> {
  const at = new Date();
  const tags: TagReads['tags'] = new Map();
  let perUser = targets;
  const inBulk =
    options.bulkAllowed &&
    targets.length > BULK_WORTH * Math.ceil(options.accountUsers / AUTH_DETAILS_PAGE_SIZE);
  if (inBulk) {
    const listed = await bulkTags(ctx, key, deadline);
    for (const target of targets) {
      const value = listed.get(target.userId);
      if (value !== undefined)
        tags.set(target.userId, { read: true, value: value ?? undefined, at });
    }
    perUser = targets.filter((target) => !tags.has(target.userId));
  }
  const read = await mapPool(perUser, options.concurrency, (target) =>
    userTag(ctx, target, key, deadline),
  );
  perUser.forEach((target, i) => {
    const result = read[i];
    if (result !== undefined) tags.set(target.userId, result);
  });
  return { tags, inBulk, at };
}

/** Every user's exemption tag value by user id (null: the user has no such tag). */
async function bulkTags(
  ctx: GatherContext,
  key: string,
  deadline: Deadline,
): Promise<Map<string, string | null>> {
  const { users } = await readAuthorizationDetails(
    ctx.clients,
    deadline,
    ['User'],
    "the users' tags in bulk",
  );
  const byId = new Map<string, string | null>();
  for (const user of users) {
    if (user.UserId) byId.set(user.UserId, tagValue(user.Tags ?? [], key) ?? null);
  }
  return byId;
}

async function userTag(
  ctx: GatherContext,
  target: TagTarget,
  key: string,
  deadline: Deadline,
): Promise<Extract<ExemptionTag, { read: true }> | 'deleted'> {
  deadline.check();
  const at = new Date();
  try {
    let value: string | undefined;
    const listing = pages(
      (marker) =>
        ctx.clients.iam.send(
          new ListUserTagsCommand({
            UserName: target.userName,
            MaxItems: 100,
            ...(marker ? { Marker: marker } : {}),
          }),
          { abortSignal: deadline.signal },
        ),
      iamMarker,
      deadline.signal,
    );
    for await (const out of listing) {
      value ??= tagValue(out.Tags ?? [], key);
    }
    return { read: true, value, at };
  } catch (error) {
    if (errorName(error) === 'NoSuchEntityException') return 'deleted';
    if (deadline.expired()) throw deadline.explain(error);
    throw new DataLoadError(
      `cannot read the tags of user ${target.userId}: ${describeError(error)}`,
    );
  }
}
