/** The semantics test/support/iam-evaluator.ts gives the SCP tests, pinned on small cases. */
import { arnLike, conditionHolds, evaluateScps } from '../support/iam-evaluator';

const request = { action: 'iam:TagUser', resource: '*', principalArn: 'arn:aws:iam::1:role/A' };
const deny = (extra: Record<string, unknown>) => ({
  Version: '2012-10-17',
  Statement: [{ Sid: 'D', Effect: 'Deny', Action: 'iam:TagUser', Resource: '*', ...extra }],
});

describe('iam-evaluator', () => {
  it.each([
    [
      'arn:*:iam::*:role/stacksets-exec-*',
      'arn:aws:iam::222222222222:role/stacksets-exec-ab',
      true,
    ],
    [
      'arn:*:iam::*:role/stacksets-exec-*',
      'arn:aws:iam::222222222222:role/x/stacksets-exec-a',
      false,
    ],
    [
      'arn:*:iam::*:role/*stacksets-exec-*',
      'arn:aws:iam::222222222222:role/x/stacksets-exec-a',
      true,
    ],
    ['arn:*:iam::*:role/Admin', 'arn:aws:iam::222222222222:role/admin', false],
    ['arn:aws:iam::*:role/A', 'arn:aws-cn:iam::1:role/A', false],
    ['arn:*:events:*:*:rule/r', 'arn:aws:events:eu-west-1:1:rule/r', true],
  ])('ArnLike %s on %s: %s', (pattern, arn, expected) => {
    expect(arnLike(pattern, arn)).toBe(expected);
  });

  it('matches actions case-insensitively, with wildcards', () => {
    expect(evaluateScps([deny({ Action: 'IAM:tag*' })], request)).toEqual({
      allowed: false,
      by: 'D',
    });
    expect(evaluateScps([deny({ Action: 'iam:Untag*' })], request)).toEqual({ allowed: true });
  });

  it('NotAction and NotResource exclude', () => {
    const notAction = { Sid: 'D', Effect: 'Deny', NotAction: 'iam:Tag*', Resource: '*' };
    expect(evaluateScps([{ Statement: [notAction] }], request)).toEqual({ allowed: true });
  });

  it('ArnNotLike with several values: true only when none matches; a missing key counts as true', () => {
    const values = ['arn:*:iam::*:role/A', 'arn:*:iam::*:role/B'];
    expect(conditionHolds('ArnNotLike', 'aws:PrincipalArn', values, request)).toBe(false);
    expect(
      conditionHolds('ArnNotLike', 'aws:PrincipalArn', values, {
        ...request,
        principalArn: 'arn:aws:iam::1:role/C',
      }),
    ).toBe(true);
    expect(conditionHolds('StringNotEquals', 'aws:Missing', ['x'], request)).toBe(true);
    expect(conditionHolds('StringEquals', 'aws:Missing', ['x'], request)).toBe(false);
  });

  it('ForAnyValue:StringEqualsIgnoreCase on a multivalued key; missing key: false', () => {
    const keys = ['mfa-exemption'];
    const withKeys = (tagKeys: string[]) => ({ ...request, context: { 'aws:TagKeys': tagKeys } });
    const op = 'ForAnyValue:StringEqualsIgnoreCase';
    expect(conditionHolds(op, 'aws:TagKeys', keys, withKeys(['team', 'MFA-Exemption']))).toBe(true);
    expect(conditionHolds(op, 'aws:TagKeys', keys, withKeys(['team']))).toBe(false);
    expect(conditionHolds(op, 'aws:TagKeys', keys, request)).toBe(false);
    expect(conditionHolds('ForAllValues:StringEquals', 'aws:TagKeys', keys, request)).toBe(true);
  });

  it('every condition of a statement must hold', () => {
    const policy = deny({
      Condition: {
        'ForAnyValue:StringEqualsIgnoreCase': { 'aws:TagKeys': ['k'] },
        ArnNotLike: { 'aws:PrincipalArn': 'arn:*:iam::*:role/Sec' },
      },
    });
    const tagging = (principalArn: string) => ({
      ...request,
      principalArn,
      context: { 'aws:TagKeys': ['K'] },
    });
    expect(evaluateScps([policy], tagging('arn:aws:iam::1:role/Admin')).allowed).toBe(false);
    expect(evaluateScps([policy], tagging('arn:aws:iam::1:role/Sec')).allowed).toBe(true);
  });

  it('throws on what it does not model, so no policy passes unjudged', () => {
    expect(() =>
      evaluateScps([deny({ Condition: { DateGreaterThan: { 'aws:CurrentTime': 'x' } } })], {
        ...request,
        context: { 'aws:CurrentTime': 'y' },
      }),
    ).toThrow(/not modelled/);
    expect(() => evaluateScps([deny({ Principal: '*' })], request)).toThrow(/not modelled/);
    expect(() =>
      evaluateScps([{ Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }], request),
    ).toThrow(/only Deny/);
    expect(() => conditionHolds('StringEqualsIfExists', 'k', ['v'], request)).toThrow(
      /not modelled/,
    );
  });
});
