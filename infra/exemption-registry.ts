/**
 * The central exemption registry (rules/runtime/exemption-registry.ts): a DynamoDB table in the
 * central account, keyed by account id (partition) and `<userId>#<rule>` (sort).
 *
 *   - point-in-time recovery on, encrypted with the AWS managed key (`aws/dynamodb`), deletion
 *     protection on, kept when the stack is deleted (RemovalPolicy.RETAIN): who was exempt, until
 *     when and by whom outlives the stack;
 *   - readers: the user rules' functions alone, `dynamodb:Query` on this table (grantQuery);
 *   - writers: the principals the operator names (`writerPrincipalArns`): with them, a resource
 *     policy denies every item write to anyone else, central-account administrators included.
 *     Without them, whoever the central account's IAM lets write (documented in
 *     docs/exemption-registry.md).
 */
import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DEFAULT_EXEMPTION_TABLE } from '../rules/runtime/exemption-source';
import type { RuleFunction } from './rule-function';

/** The item writes a writer may make, and nobody else (DynamoDB's item-changing actions). */
export const REGISTRY_WRITE_ACTIONS = [
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PartiQLDelete',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
] as const;

/** What the user rules' functions may do on the table, and nothing else. */
export const REGISTRY_READ_ACTIONS = ['dynamodb:Query'] as const;

/** What `mfa-config-rules exemptions list` and `report --aggregator` read. */
export const REGISTRY_LIST_ACTIONS = ['dynamodb:Scan'] as const;

export interface ExemptionRegistryProps {
  /** Default: `mfa-config-rules-exemptions` (the CLI's default `--table`). */
  readonly tableName?: string;
  /**
   * The only principals that may write entries (IAM role or user ARNs, wildcards as `ArnLike`
   * takes them). Absent: no resource policy; the central account's IAM decides.
   */
  readonly writerPrincipalArns?: readonly string[];
}

const PRINCIPAL_ARN = /^arn:[a-z-]+:(iam|sts)::(\d{12}|\*):[\w+=,.@/*-]+$/;

export class ExemptionRegistry extends Construct {
  readonly table: dynamodb.Table;
  readonly tableName: string;

  constructor(scope: Construct, id: string, props: ExemptionRegistryProps = {}) {
    super(scope, id);
    this.tableName = props.tableName ?? DEFAULT_EXEMPTION_TABLE;
    const writers = props.writerPrincipalArns ?? [];
    for (const arn of writers) {
      if (!Token.isUnresolved(arn) && !PRINCIPAL_ARN.test(arn)) {
        throw new Error(
          `${this.node.path}: exemption writer '${arn}' is not an IAM principal ARN (arn:aws:iam::<account>:role/<name>)`,
        );
      }
    }
    const tableArn = Stack.of(this).formatArn({
      service: 'dynamodb',
      resource: 'table',
      resourceName: this.tableName,
    });
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: this.tableName,
      partitionKey: { name: 'accountId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'entry', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      // Keys only: the event path (infra/freshness.ts watchRegistry) re-evaluates the rules an
      // entry covers when it is granted, changed or revoked.
      stream: dynamodb.StreamViewType.KEYS_ONLY,
      ...(writers.length > 0
        ? {
            resourcePolicy: new iam.PolicyDocument({
              statements: [
                new iam.PolicyStatement({
                  sid: 'OnlyNamedWritersChangeExemptions',
                  effect: iam.Effect.DENY,
                  principals: [new iam.AnyPrincipal()],
                  actions: [...REGISTRY_WRITE_ACTIONS],
                  resources: [tableArn],
                  conditions: { ArnNotLike: { 'aws:PrincipalArn': [...writers] } },
                }),
              ],
            }),
          }
        : {}),
    });
  }

  /** Lets a user rule's function read the table: `dynamodb:Query` on it, nothing else. */
  grantQuery(fn: RuleFunction): void {
    fn.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'QueryExemptionRegistry',
        actions: [...REGISTRY_READ_ACTIONS],
        resources: [this.table.tableArn],
      }),
    );
  }
}
