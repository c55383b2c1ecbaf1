/**
 * The IAM API calls that can change a verdict of this pack, as CloudTrail records them and
 * EventBridge delivers them ("AWS API Call via CloudTrail", source `aws.iam`, in us-east-1 only:
 * docs/freshness.md), and which rules each one concerns.
 *
 * An event can only ever cause more live reads (the named user is read live at the next run) and an
 * earlier run (a re-evaluation): never a verdict. So an event that is forged, repeated or late makes
 * nothing look compliant; an event that is lost leaves the verdict to the next periodic run, as
 * without the event path.
 */
import { InvalidInputError } from '../errors';
import { ACCOUNT_RULE_NAMES, type RuleName } from '../../rule-names';

/** The rules that judge IAM users (the exemption registry's `*` covers them all). */
export const USER_RULES: readonly RuleName[] = [
  'iam-user-console-mfa',
  'iam-user-mfa',
  'iam-user-hardware-mfa',
];
/**
 * Every rule that judges the root user, from the catalog (rules/rule-names.ts, generated): whatever
 * changes a root credential can change any of them, NOT_APPLICABLE ("root holds no credentials")
 * included.
 */
const ROOT_RULES: readonly RuleName[] = ACCOUNT_RULE_NAMES;
const HARDWARE: readonly RuleName[] = ['iam-user-hardware-mfa'];

/** What a call changes. */
interface CallEffect {
  /** The rules whose verdicts the call can change. */
  rules: readonly RuleName[];
  /** Whether the call names one IAM user (`requestParameters.userName`). */
  namesUser: boolean;
  /**
   * With no user named, these rules instead: the caller acted on its own credentials, the root
   * user (or a root session of centralized root access, `sts:AssumeRoot`, removing them).
   */
  withoutUser?: readonly RuleName[];
  /** Only when the call's tag keys include the exemption or privilege key (TagUser, UntagUser). */
  tags?: true;
}

/**
 * Every IAM call that changes a verdict. MFA devices, console passwords, the users themselves and
 * their exemption tags concern every user rule that reads them; what makes a user privileged
 * (policies of the user, its groups and the roles it may assume, group membership, boundaries,
 * managed policy versions, role trust) concerns the hardware rule, which reads all of it live on
 * every run.
 */
export const VERDICT_CHANGING_CALLS: Readonly<Record<string, CallEffect>> = {
  EnableMFADevice: { rules: USER_RULES, namesUser: true, withoutUser: ROOT_RULES },
  DeactivateMFADevice: { rules: USER_RULES, namesUser: true, withoutUser: ROOT_RULES },
  // Names no user (a virtual device must be deactivated first, which is its own event); the
  // runs read the virtual devices assigned now, and part 1's ListMFADevices catches the rest.
  DeleteVirtualMFADevice: { rules: [...USER_RULES, ...ROOT_RULES], namesUser: false },
  CreateLoginProfile: { rules: ['iam-user-console-mfa'], namesUser: true, withoutUser: ROOT_RULES },
  DeleteLoginProfile: { rules: ['iam-user-console-mfa'], namesUser: true, withoutUser: ROOT_RULES },
  // A user's access keys change no verdict here; the root user's (no user named) do.
  CreateAccessKey: { rules: [], namesUser: true, withoutUser: ROOT_RULES },
  DeleteAccessKey: { rules: [], namesUser: true, withoutUser: ROOT_RULES },
  UpdateAccessKey: { rules: [], namesUser: true, withoutUser: ROOT_RULES },
  CreateUser: { rules: USER_RULES, namesUser: true },
  DeleteUser: { rules: USER_RULES, namesUser: true },
  UpdateUser: { rules: USER_RULES, namesUser: true },
  TagUser: { rules: USER_RULES, namesUser: true, tags: true },
  UntagUser: { rules: USER_RULES, namesUser: true, tags: true },
  AttachUserPolicy: { rules: HARDWARE, namesUser: true },
  DetachUserPolicy: { rules: HARDWARE, namesUser: true },
  PutUserPolicy: { rules: HARDWARE, namesUser: true },
  DeleteUserPolicy: { rules: HARDWARE, namesUser: true },
  AddUserToGroup: { rules: HARDWARE, namesUser: true },
  RemoveUserFromGroup: { rules: HARDWARE, namesUser: true },
  PutUserPermissionsBoundary: { rules: HARDWARE, namesUser: true },
  DeleteUserPermissionsBoundary: { rules: HARDWARE, namesUser: true },
  AttachGroupPolicy: { rules: HARDWARE, namesUser: false },
  DetachGroupPolicy: { rules: HARDWARE, namesUser: false },
  PutGroupPolicy: { rules: HARDWARE, namesUser: false },
  DeleteGroupPolicy: { rules: HARDWARE, namesUser: false },
  CreatePolicyVersion: { rules: HARDWARE, namesUser: false },
  SetDefaultPolicyVersion: { rules: HARDWARE, namesUser: false },
  AttachRolePolicy: { rules: HARDWARE, namesUser: false },
  DetachRolePolicy: { rules: HARDWARE, namesUser: false },
  PutRolePolicy: { rules: HARDWARE, namesUser: false },
  DeleteRolePolicy: { rules: HARDWARE, namesUser: false },
  PutRolePermissionsBoundary: { rules: HARDWARE, namesUser: false },
  DeleteRolePermissionsBoundary: { rules: HARDWARE, namesUser: false },
  UpdateAssumeRolePolicy: { rules: HARDWARE, namesUser: false },
};

/** The EventBridge pattern of every call above (IAM's events arrive in us-east-1 only). */
export function iamEventPattern(): {
  source: string[];
  'detail-type': string[];
  detail: { eventSource: string[]; eventName: string[] };
} {
  return {
    source: ['aws.iam'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['iam.amazonaws.com'],
      eventName: Object.keys(VERDICT_CHANGING_CALLS).sort(),
    },
  };
}

/** The tag keys whose change matters, lower case (IAM matches tag keys in any case). */
export interface TagKeys {
  /** Exemption keys of the deployed user rules: any change re-evaluates every user rule. */
  exemption: readonly string[];
  /** The hardware rule's privilege key: a change re-evaluates that rule. */
  privilege: readonly string[];
}

/** One verdict-changing call, as the reaction needs it. */
export interface IamChange {
  account: string;
  call: string;
  /** CloudTrail's eventTime. */
  at: Date;
  eventId: string;
  /** The user(s) the call names: the user, and for UpdateUser the new name too. */
  userNames: string[];
  /** The new user's id (CreateUser's response). */
  userId?: string;
  rules: RuleName[];
}

type Json = Record<string, unknown>;

function object(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The change an EventBridge event records, or undefined for a call that changed nothing (it
 * failed: CloudTrail's `errorCode`) or that does not matter here (a tag key that is neither the
 * exemption nor the privilege key). Anything that is not an IAM API call of the list above, or
 * lacks the fields every such event has, is refused with one line: the function was wired to
 * something else.
 */
export function iamChange(event: unknown, tagKeys: TagKeys | undefined): IamChange | undefined {
  const envelope = object(event);
  const detail = object(envelope?.detail);
  if (
    !envelope ||
    !detail ||
    envelope.source !== 'aws.iam' ||
    envelope['detail-type'] !== 'AWS API Call via CloudTrail' ||
    detail.eventSource !== 'iam.amazonaws.com'
  ) {
    throw new InvalidInputError(
      'not an IAM "AWS API Call via CloudTrail" event (source aws.iam, detail.eventSource iam.amazonaws.com)',
    );
  }
  const call = text(detail.eventName) ?? '';
  const effect = VERDICT_CHANGING_CALLS[call];
  if (!effect)
    throw new InvalidInputError(
      `IAM call ${JSON.stringify(call.slice(0, 64))} is not one this function reacts to`,
    );
  const account = text(envelope.account);
  const at = new Date(text(detail.eventTime) ?? '');
  const eventId = text(detail.eventID) ?? text(envelope.id);
  if (!account || !/^\d{12}$/.test(account) || Number.isNaN(at.getTime()) || !eventId) {
    throw new InvalidInputError(`${call} event without a 12-digit account, an eventTime or an id`);
  }
  // A member account's event is forwarded with its own account; CloudTrail names the same one.
  const recipient = text(detail.recipientAccountId);
  if (recipient !== undefined && recipient !== account) {
    throw new InvalidInputError(
      `${call} event of account ${account} names recipient account ${recipient}`,
    );
  }
  if (text(detail.errorCode)) return undefined;
  const request = object(detail.requestParameters) ?? {};
  const userName = effect.namesUser ? text(request.userName) : undefined;
  let rules = [...effect.rules];
  if (effect.namesUser && !userName) {
    if (!effect.withoutUser) {
      throw new InvalidInputError(`${call} event without requestParameters.userName`);
    }
    rules = [...effect.withoutUser];
  }
  if (effect.tags) rules = tagRules(call, request, tagKeys);
  if (rules.length === 0) return undefined;
  const userNames = [
    userName,
    call === 'UpdateUser' ? text(request.newUserName) : undefined,
  ].filter((name): name is string => name !== undefined);
  const created = object(object(object(detail.responseElements)?.user));
  const userId = call === 'CreateUser' ? text(created?.userId) : undefined;
  return {
    account,
    call,
    at,
    eventId,
    userNames,
    ...(userId ? { userId } : {}),
    rules,
  };
}

/** TagUser (`tags: [{key, value}]`) and UntagUser (`tagKeys: [key]`): which rules the keys concern. */
function tagRules(call: string, request: Json, tagKeys: TagKeys | undefined): RuleName[] {
  // Without the configured keys, every tag change counts (fail closed: a key we were not told of
  // could be an exemption key).
  if (!tagKeys) return [...USER_RULES];
  const keys: string[] = [];
  if (call === 'TagUser' && Array.isArray(request.tags)) {
    for (const tag of request.tags) {
      const key = text(object(tag)?.key);
      if (key) keys.push(key.toLowerCase());
    }
  } else if (call === 'UntagUser' && Array.isArray(request.tagKeys)) {
    for (const key of request.tagKeys) if (text(key)) keys.push((key as string).toLowerCase());
  } else {
    // A shape we do not recognise: count it.
    return [...USER_RULES];
  }
  if (keys.some((key) => tagKeys.exemption.includes(key))) return [...USER_RULES];
  if (keys.some((key) => tagKeys.privilege.includes(key))) return [...HARDWARE];
  return [];
}
