/**
 * The vocabulary every rule shares: what a verdict looks like, what a rule declares about itself,
 * and the scope one invocation evaluates.
 *
 * Data flows event → facts → evaluations → PutEvaluations:
 *   runtime/event.ts parses the Config event into a request (scope + ordering time),
 *   runtime/facts/* gathers the facts a rule needs (all AWS reads happen there),
 *   <rule>/rule.ts turns facts into evaluations (pure, no I/O),
 *   runtime/report.ts sends them with PutEvaluations.
 */
import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import type { IAMClient } from '@aws-sdk/client-iam';
import type * as z from 'zod/mini';
import type { Deadline } from './deadline';
import type { AccountRegistry } from './exemption-registry';

export type ComplianceType = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE';

/** Resource types the rules report on (clean-up may re-report whatever type Config recorded). */
export type ResourceType = 'AWS::::Account' | 'AWS::IAM::User';

export interface Evaluation {
  /** The resource type AWS Config records the verdict against. */
  resourceType: string;
  /** `AWS::::Account`: the account id. `AWS::IAM::User`: the user's unique id (`AIDA…`). */
  resourceId: string;
  /** A readable name: the user name, or the account id. Not sent to Config. */
  resourceName: string;
  compliance: ComplianceType;
  /** 1–256 characters: for NON_COMPLIANT who, what is missing and the fix; otherwise why. */
  annotation: string;
  /**
   * The time the evidence describes (the oldest fact the verdict rests on: the credential report's
   * GeneratedTime, or the moment of a live read); sent as OrderingTimestamp. Absent: the event's
   * time. A symbol key, so it stays out of the CLI's printed rows (`Object.keys`, JSON).
   */
  [EVIDENCE_AT]?: Date;
  /**
   * Where the facts came from (runtime/user-evaluations.ts). Absent: read during the invocation
   * (the root rules). Symbol-keyed like `EVIDENCE_AT`: never sent to Config, kept for the CLI.
   */
  [EVIDENCE_SOURCE]?: EvidenceSource;
  /**
   * The user's exemption, when one was read for a NON_COMPLIANT verdict (runtime/exemptions.ts):
   * honoured (the verdict it replaced) or refused (why). Symbol-keyed: never sent to Config.
   */
  [EXEMPTION]?: ExemptionRecord;
}

/** Key of an evaluation's evidence time (see `Evaluation`). */
export const EVIDENCE_AT: unique symbol = Symbol('evidenceAt');
/** Key of an evaluation's evidence source (see `Evaluation`). */
export const EVIDENCE_SOURCE: unique symbol = Symbol('evidenceSource');
/** Key of an evaluation's exemption (see `Evaluation`). */
export const EXEMPTION: unique symbol = Symbol('exemption');

/**
 * Both facts from the credential report; the password from the report and the MFA from a virtual
 * device assigned now; the password from the report and the MFA devices listed live
 * (ListMFADevices: the report showed MFA and no virtual device is assigned now); or every fact read
 * live from IAM.
 */
export const EVIDENCE_SOURCES = ['credential-report', 'virtual-mfa', 'live-mfa', 'live'] as const;
export type EvidenceSource = (typeof EVIDENCE_SOURCES)[number];

/** An exemption as read for a verdict that would otherwise be NON_COMPLIANT. */
export interface ExemptionRecord {
  /**
   * Where it was declared: a tag on the user (`key` is the tag key), or the central exemption
   * registry (`key` names the table, or the exemptions file of a local run).
   */
  source: 'tag' | 'registry';
  key: string;
  /**
   * `honoured` replaced the verdict with NOT_APPLICABLE; any other status left it as it was
   * (`ignored`: a tag where only the registry exempts).
   */
  status: 'honoured' | 'expired' | 'too-long' | 'unreadable' | 'ignored';
  /** The last day it covers (YYYY-MM-DD, end of day UTC), when the value holds a calendar date. */
  until?: string;
  reason?: string;
  /** Registry entries: the ARN of whoever granted it. */
  grantedBy?: string;
  /** The verdict it replaced (`honoured` only). */
  replaced?: ComplianceType;
}

/** What a rule's `evaluate` gets besides facts and parameters. */
export interface EvaluateContext {
  registry?: AccountRegistry;
}

/** What one invocation evaluates. */
export type Scope =
  /** Periodic run: every resource of the rule's type in the account. */
  | { kind: 'all' }
  /** Change notification: one IAM user, named as AWS Config recorded it. */
  | { kind: 'user'; userId: string; userName: string | undefined };

export interface RuleMetadata {
  /** The Config rule name and the CLI's `--rule` value. Part of the contract: never rename. */
  name: string;
  title: string;
  /** One paragraph: what is checked and how each verdict is reached. */
  description: string;
  severity: 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW';
  /**
   * Every framework control the rule implements: one entry per CIS AWS Foundations Benchmark
   * version, and the Security Hub control. Each names its source (see rules/frameworks.ts).
   */
  frameworks: readonly FrameworkMapping[];
  /** The AWS managed rule this one replaces; absent when no managed rule checks the same. */
  replacesManagedRule?: string;
  resourceTypes: readonly ResourceType[];
  /** Resource types whose configuration changes also trigger the rule (besides the periodic run). */
  changeTriggerTypes: readonly ResourceType[];
  remediation: string;
  /**
   * Whether periodic runs read the event path's change log (runtime/freshness/change-log.ts): the
   * construct then gives the function the table's name and dynamodb:Query on it, nothing more.
   */
  readsChangeLog?: boolean;
  /** Exactly the IAM actions the rule's function calls; the CDK construct grants these and no others. */
  iamActions: readonly string[];
  /** The rule function's Lambda timeout and memory, with the reason in a comment beside them. */
  sizing: FunctionSizing;
  /**
   * The rule's own parameters (the keys of its `parameters` zod shape, nothing more): what the
   * docs, the CLI and the conformance pack say about each. The runtime's `ExecutionRoleName` is
   * not listed here (rules/catalog.ts COMMON_PARAMETERS).
   */
  parameters: readonly RuleParameter[];
}

/** Versions of the CIS AWS Foundations Benchmark the pack maps, oldest first. */
export const CIS_VERSIONS = [
  'v1.4.0',
  'v1.5.0',
  'v2.0.0',
  'v3.0.0',
  'v4.0.1',
  'v5.0.0',
  'v6.0.0',
  'v7.0.0',
] as const;
export type CisVersion = (typeof CIS_VERSIONS)[number];

export type FrameworkMapping =
  | {
      framework: 'CIS AWS Foundations Benchmark';
      version: CisVersion;
      /** The recommendation number in that version, e.g. `1.10`. */
      control: string;
      /** How the benchmark itself marks the recommendation. */
      assessment: 'Automated' | 'Manual';
      /** Where the number and the assessment status come from (URLs). */
      sources: readonly string[];
    }
  | {
      framework: 'AWS Security Hub';
      /** The Security Hub CSPM control id, e.g. `IAM.5`. */
      control: string;
      sources: readonly string[];
    };

export interface FunctionSizing {
  /** Lambda timeout, in seconds. */
  readonly timeoutSeconds: number;
  /** Lambda memory, in MiB (CPU share grows with it). */
  readonly memoryMiB: number;
}

export interface RuleParameter {
  /** The key in Config's `InputParameters` (and `--parameters`). */
  name: string;
  description: string;
  /** The value used when the parameter is absent (Config passes every value as a string). */
  default: string;
}

/** The clients a rule reads with (runtime/clients.ts makes them). */
export interface AwsClients {
  iam: IAMClient;
  config: ConfigServiceClient;
}

/** A verdict this rule recorded earlier, as Config keeps it. */
export interface RecordedEvaluation {
  resourceType: string;
  resourceId: string;
  compliance: string;
  /** OrderingTimestamp: the time of the evidence the verdict rests on (as this runtime sends it). */
  orderingAt?: Date;
  /** ResultRecordedTime: when Config recorded it. */
  recordedAt?: Date;
}

export interface GatherContext {
  clients: AwsClients;
  accountId: string;
  partition: string;
  /** Milliseconds left before the caller's deadline (Lambda's remaining time). */
  remainingMs: () => number;
  /** Aborts every AWS call at "time left minus reserve"; default: one from `remainingMs`. */
  deadline?: Deadline;
  /**
   * What the rule has on record in Config (periodic runs), read alongside the facts: a verdict
   * from older evidence never replaces a newer one on record without a live check.
   */
  recorded?: Promise<readonly RecordedEvaluation[]>;
  /**
   * The users IAM calls changed recently (runtime/freshness, issue 22); periodic runs read each one
   * changed since the credential report live. Absent: the event path is off.
   */
  changeLog?: ChangeLogReader;
  tuning?: GatherTuning;
}

/** One IAM call that changed a user, as the change log recorded it. */
export interface UserChange {
  userName?: string;
  userId?: string;
  /** When the IAM call was made (CloudTrail's eventTime). */
  at: Date;
  /** The IAM call, e.g. `DeactivateMFADevice`. */
  call: string;
}

/** Reads the change log of an account: every change it still holds (its entries expire). */
export interface ChangeLogReader {
  changes(accountId: string, signal?: AbortSignal): Promise<readonly UserChange[]>;
}

/** Knobs tests and benchmarks turn; production uses the defaults. */
export interface GatherTuning {
  /** Wait between polls while IAM generates the credential report (default 1 s). */
  pollIntervalMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Per-user confirmations in flight at once (default 8). */
  concurrency?: number;
}

export interface RuleDefinition<Facts, Shape extends z.core.$ZodShape = z.core.$ZodShape> {
  metadata: RuleMetadata;
  /**
   * The rule's own parameters, as a zod shape (Config passes every value as a string). The runtime
   * adds `ExecutionRoleName`; any other key is refused.
   */
  parameters: Shape;
  /**
   * Reads what the rule needs from AWS (the parameters say which users need which reads). Throws
   * rather than return partial facts.
   */
  gather: (
    ctx: GatherContext,
    scope: Scope,
    params: z.infer<z.ZodMiniObject<Shape>>,
  ) => Promise<Facts>;
  /**
   * Pure: facts and parameters in, evaluations out. `context.registry`: the account's entries of
   * the exemption registry, read by the caller when the rule's `ExemptionSource` needs them.
   */
  evaluate: (
    facts: Facts,
    params: z.infer<z.ZodMiniObject<Shape>>,
    context?: EvaluateContext,
  ) => Evaluation[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = RuleDefinition<any, any>;
