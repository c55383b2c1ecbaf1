/**
 * GetAccountAuthorizationDetails, every page: the one bulk read of IAM users (with their tags,
 * groups, inline and attached managed policies), groups, roles and managed policies, as the filter
 * asks. Used by iam-user-hardware-mfa (who is privileged, from what the policies allow) and by the
 * exemption tags read in bulk (facts/exemption-tags.ts).
 */
import {
  GetAccountAuthorizationDetailsCommand,
  type EntityType,
  type GetAccountAuthorizationDetailsCommandOutput,
} from '@aws-sdk/client-iam';
import type { AwsClients } from '../clients';
import type { Deadline } from '../deadline';
import { DataLoadError, describeError } from '../errors';
import { iamMarker, pages } from '../pages';

/** Users (or groups) per page: MaxItems' upper bound. */
export const AUTH_DETAILS_PAGE_SIZE = 1000;

type Output = GetAccountAuthorizationDetailsCommandOutput;

export interface AuthorizationDetails {
  users: NonNullable<Output['UserDetailList']>;
  groups: NonNullable<Output['GroupDetailList']>;
  roles: NonNullable<Output['RoleDetailList']>;
  policies: NonNullable<Output['Policies']>;
}

/** Every page for these entity types; `what` names the read in the error when one fails. */
export async function readAuthorizationDetails(
  clients: AwsClients,
  deadline: Deadline,
  filter: readonly EntityType[],
  what: string,
): Promise<AuthorizationDetails> {
  const details: AuthorizationDetails = { users: [], groups: [], roles: [], policies: [] };
  try {
    const listing = pages(
      (marker) => {
        deadline.check();
        return clients.iam.send(
          new GetAccountAuthorizationDetailsCommand({
            Filter: [...filter],
            MaxItems: AUTH_DETAILS_PAGE_SIZE,
            ...(marker ? { Marker: marker } : {}),
          }),
          { abortSignal: deadline.signal },
        );
      },
      iamMarker,
      deadline.signal,
    );
    for await (const page of listing) {
      details.users.push(...(page.UserDetailList ?? []));
      details.groups.push(...(page.GroupDetailList ?? []));
      details.roles.push(...(page.RoleDetailList ?? []));
      details.policies.push(...(page.Policies ?? []));
    }
  } catch (error) {
    if (deadline.expired()) throw deadline.explain(error);
    throw new DataLoadError(`cannot read ${what}: ${describeError(error)}`);
  }
  return details;
}
