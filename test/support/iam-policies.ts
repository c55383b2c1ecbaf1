/**
 * Policy documents for tests: AWS managed policies as AWS publishes them (abridged where the rest
 * grants no permission-rewriting action), and helpers that shape GetAccountAuthorizationDetails
 * entries with URL-encoded documents, as IAM returns them.
 */
import type { ManagedPolicyDetail } from '@aws-sdk/client-iam';

export interface PolicyDocument {
  Version?: string;
  Statement: Record<string, unknown>[] | Record<string, unknown>;
}

const ALLOW_ALL: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** AWS managed policies by name (documents as in the AWS Managed Policy Reference Guide). */
export const AWS_MANAGED: Readonly<Record<string, PolicyDocument>> = {
  AdministratorAccess: ALLOW_ALL,
  IAMFullAccess: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['iam:*', 'organizations:DescribeAccount'], Resource: '*' },
    ],
  },
  ReadOnlyAccess: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['iam:Generate*', 'iam:Get*', 'iam:List*', 'iam:Simulate*', 's3:Get*', 's3:List*'],
        Resource: '*',
      },
    ],
  },
  PowerUserAccess: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*', 'account:*'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: [
          'iam:CreateServiceLinkedRole',
          'iam:DeleteServiceLinkedRole',
          'iam:ListRoles',
          'organizations:DescribeOrganization',
        ],
        Resource: '*',
      },
    ],
  },
};

export function awsManagedArn(name: string, partition = 'aws'): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}

export function encode(document: PolicyDocument): string {
  return encodeURIComponent(JSON.stringify(document));
}

/** A managed policy as GetAccountAuthorizationDetails lists it (one default version). */
export function managedPolicyDetail(arn: string, document: PolicyDocument): ManagedPolicyDetail {
  return {
    PolicyName: arn.slice(arn.lastIndexOf('/') + 1),
    Arn: arn,
    DefaultVersionId: 'v1',
    PolicyVersionList: [{ VersionId: 'v1', IsDefaultVersion: true, Document: encode(document) }],
  };
}

/** Every AWS managed policy above as a detail entry. */
export function awsManagedDetails(): ManagedPolicyDetail[] {
  return Object.entries(AWS_MANAGED).map(([name, document]) =>
    managedPolicyDetail(awsManagedArn(name), document),
  );
}

export function allow(action: string | string[], resource: string | string[] = '*', extra = {}) {
  return { Effect: 'Allow', Action: action, Resource: resource, ...extra };
}

export function deny(action: string | string[], resource: string | string[] = '*', extra = {}) {
  return { Effect: 'Deny', Action: action, Resource: resource, ...extra };
}

export function doc(...statements: Record<string, unknown>[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}
