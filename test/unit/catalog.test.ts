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
import { ruleEntrySource } from '../../scripts/rule-entry';
import { casesOf } from '../support/scenarios';

const RULES_DIR = path.join(__dirname, '..', '..', 'rules');

describe.each(RULES.map((rule) => [rule.metadata.name, rule] as const))('%s', (name, rule) => {
  const m = rule.metadata;

  it('lives in rules/<name>/ with its definition, and its entry point is generated', () => {
    expect(fs.existsSync(path.join(RULES_DIR, name, 'rule.ts'))).toBe(true);
    expect(ruleEntrySource(name)).toContain(`import { rule } from './${name}/rule';`);
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

describe('what each rule publishes, as its folder states it (rules/<name>/cases.ts)', () => {
  it.each(RULES.map((rule) => [rule.metadata.name, rule] as const))(
    '%s maps its CIS versions, Security Hub controls and severity',
    (name, rule) => {
      // Prepare: the published numbers (sources: rules/frameworks.ts and each mapping's `sources`)
      const want = casesOf(name).published;

      // Assess
      expect(formatCis(rule.metadata)).toBe(want.cis);
      if (want.cis !== 'none') {
        expect(cisMappings(rule.metadata).map((mapping) => mapping.version)).toEqual([
          ...CIS_VERSIONS,
        ]);
      }
      expect(securityHubControls(rule.metadata)).toEqual(want.securityHub);
      expect(rule.metadata.severity).toBe(want.severity);
    },
  );

  it('names the newest CIS number and the Security Hub control in the short form', () => {
    const rule = RULES.find((r) => r.metadata.name === 'iam-user-console-mfa');
    if (!rule) throw new Error('iam-user-console-mfa is not in the catalog');
    expect(formatFrameworksShort(rule.metadata)).toBe('CIS v7.0.0 2.10, Security Hub IAM.5');
    expect(formatFrameworksShort({ frameworks: [] })).toBe('no framework control');
    expect(formatCis({ frameworks: [] })).toBe('none');
  });
});
