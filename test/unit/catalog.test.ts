/** What every rule of the catalog must declare in its metadata, and the mappings we publish. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod/mini';
import { RULES } from '../../rules/catalog';
import {
  cisMappings,
  formatCis,
  formatFrameworksShort,
  securityHubControls,
} from '../../rules/frameworks';
import { CIS_VERSIONS } from '../../rules/runtime/types';

const RULES_DIR = path.join(__dirname, '..', '..', 'rules');

describe.each(RULES.map((rule) => [rule.metadata.name, rule] as const))('%s', (name, rule) => {
  const m = rule.metadata;

  it('lives in rules/<name>/ with its Lambda entry point', () => {
    expect(fs.existsSync(path.join(RULES_DIR, name, 'handler.ts'))).toBe(true);
  });

  it('maps each CIS version at most once, every mapping with a source', () => {
    const versions = cisMappings(m).map((mapping) => mapping.version);
    expect(new Set(versions).size).toBe(versions.length);
    for (const mapping of m.frameworks) {
      expect(mapping.sources.length).toBeGreaterThan(0);
      for (const source of mapping.sources) expect(source).toMatch(/^https:\/\/\S+$/);
    }
  });

  it('declares exactly the parameters its zod shape accepts, each with a description', () => {
    const shape = rule.parameters as z.core.$ZodShape;
    expect(m.parameters.map((p) => p.name).sort()).toEqual(Object.keys(shape).sort());
    for (const p of m.parameters) expect(p.description.length).toBeGreaterThan(0);
  });

  it('documents the default its zod shape applies when Config omits a parameter', () => {
    const schema = z.strictObject(rule.parameters as z.core.$ZodShape);
    for (const p of m.parameters) {
      expect(schema.parse({ [p.name]: p.default })).toEqual(schema.parse({}));
    }
  });

  it('is sized within what Lambda accepts', () => {
    expect(m.sizing.timeoutSeconds).toBeGreaterThan(0);
    expect(m.sizing.timeoutSeconds).toBeLessThanOrEqual(900);
    expect(m.sizing.memoryMiB).toBeGreaterThanOrEqual(128);
    expect(m.sizing.memoryMiB).toBeLessThanOrEqual(10240);
  });
});

describe('framework mappings of the three CIS MFA rules', () => {
  // Prepare: the published numbers (sources: rules/frameworks.ts and each mapping's `sources`).
  const expected: Record<string, { cis: string; securityHub: string[] }> = {
    'root-account-mfa': {
      cis: 'v1.4.0–v4.0.1 1.5, v5.0.0 1.4, v6.0.0 2.4, v7.0.0 2.5',
      securityHub: ['IAM.9'],
    },
    'root-account-hardware-mfa': {
      cis: 'v1.4.0–v1.5.0 1.6, v2.0.0–v4.0.1 1.6 (manual), v5.0.0 1.5 (manual), v6.0.0 2.5 (manual), v7.0.0 2.6 (manual)',
      securityHub: ['IAM.6'],
    },
    'iam-user-console-mfa': {
      cis: 'v1.4.0–v4.0.1 1.10, v5.0.0 1.9, v6.0.0 2.9, v7.0.0 2.10',
      securityHub: ['IAM.5'],
    },
  };

  it.each(Object.entries(expected))('%s maps every CIS version and its control', (name, want) => {
    // Act
    const rule = RULES.find((r) => r.metadata.name === name);

    // Assess
    if (!rule) throw new Error(`${name} is not in the catalog`);
    expect(cisMappings(rule.metadata).map((mapping) => mapping.version)).toEqual([...CIS_VERSIONS]);
    expect(formatCis(rule.metadata)).toBe(want.cis);
    expect(securityHubControls(rule.metadata)).toEqual(want.securityHub);
  });

  it('names the newest CIS number and the Security Hub control in the short form', () => {
    const rule = RULES.find((r) => r.metadata.name === 'iam-user-console-mfa');
    if (!rule) throw new Error('iam-user-console-mfa is not in the catalog');
    expect(formatFrameworksShort(rule.metadata)).toBe('CIS v7.0.0 2.10, Security Hub IAM.5');
    expect(formatFrameworksShort({ frameworks: [] })).toBe('no framework control');
    expect(formatCis({ frameworks: [] })).toBe('none');
  });
});
