/** The policy reading beneath iam-user-hardware-mfa's privilege definition (rules/iam-user-hardware-mfa/policy.ts): documents as IAM returns them, actions, resources. */
import {
  actionMatches,
  coversResource,
  parsePolicy,
  type ElementMatch,
} from '../../rules/iam-user-hardware-mfa/policy';
import { allow, doc } from '../support/iam-policies';
import { userArn } from './helpers';

describe('reading policies', () => {
  it('reads URL-encoded documents, as IAM returns them, and plain JSON', () => {
    const text = JSON.stringify(doc(allow('iam:*')));
    expect(parsePolicy(encodeURIComponent(text))).toMatchObject({
      ok: true,
      statements: [{ effect: 'Allow' }],
    });
    expect(parsePolicy(text)).toMatchObject({ ok: true });
    expect(
      parsePolicy({ Statement: { Effect: 'Deny', Action: '*', Resource: '*' } }),
    ).toMatchObject({ ok: true });
  });

  it.each([
    ['%E0%A4%A', 'not URL-encoded JSON'],
    ['{"Statement":', 'not JSON'],
    ['[]', 'not a JSON object'],
    [
      JSON.stringify({ Statement: [{ Effect: 'allow', Action: '*', Resource: '*' }] }),
      'statement 1: Effect "allow"',
    ],
    [
      JSON.stringify({ Statement: [{ Effect: 'Allow', Resource: '*' }] }),
      'statement 1: no Action or NotAction',
    ],
    [
      JSON.stringify({ Statement: [{ Effect: 'Allow', Action: 3, Resource: '*' }] }),
      'statement 1: Action is not a string or a list of strings',
    ],
  ])('refuses %s: %s', (document, problem) => {
    expect(parsePolicy(document)).toEqual({ ok: false, problem });
  });

  it.each([
    ['*', 'iam:PutUserPolicy', true],
    ['iam:*', 'IAM:PUTUSERPOLICY', true],
    ['iam:Put?serPolicy', 'iam:PutUserPolicy', true],
    ['iam:Get*', 'iam:PutUserPolicy', false],
    ['s3:*', 'iam:PutUserPolicy', false],
  ])('action %s matches %s: %s', (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });

  const vars = new Map([['aws:username', 'alice']]);
  const resource = (...patterns: string[]): ElementMatch => ({ not: false, patterns });
  it.each<[string, ElementMatch, 'Allow' | 'Deny', boolean]>([
    ['${aws:username} resolves', resource('arn:aws:iam::*:user/${aws:username}'), 'Allow', true],
    [
      'an unknown variable matches anything in an Allow',
      resource('arn:aws:iam::*:user/${aws:PrincipalTag/team}'),
      'Allow',
      true,
    ],
    [
      'an unknown variable matches nothing in a Deny',
      resource('arn:aws:iam::*:user/${aws:PrincipalTag/team}'),
      'Deny',
      false,
    ],
    ['ARNs in another case match an Allow', resource(userArn('ALICE')), 'Allow', true],
    ['ARNs in another case do not match a Deny', resource(userArn('ALICE')), 'Deny', false],
    ['NotResource excluding the user', { not: true, patterns: [userArn('alice')] }, 'Allow', false],
    ['NotResource excluding others', { not: true, patterns: [userArn('bob')] }, 'Allow', true],
    ['${*} is a literal asterisk', resource('arn:aws:iam::*:user/a${*}'), 'Allow', false],
  ])('%s', (_label, match, effect, expected) => {
    expect(coversResource(match, userArn('alice'), vars, effect)).toBe(expected);
  });
});
