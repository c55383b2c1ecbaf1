/**
 * IAM tag keys as IAM matches them: case-insensitively, case preserved. For users and roles "you
 * cannot have separate Department and department tag keys" (IAM User Guide, "Rules for tagging in
 * IAM and AWS STS", case sensitivity: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html),
 * so `MFA-Exemption` is the `mfa-exemption` tag, and a user has at most one tag per key in any case.
 */

/** Whether two tag keys are the same key for IAM. */
export function sameTagKey(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

/** The value of tag `key` (any case) among `tags`, as IAM lists them; undefined when absent. */
export function tagValue(
  tags: Iterable<{ Key?: string | undefined; Value?: string | undefined }>,
  key: string,
): string | undefined {
  for (const tag of tags)
    if (tag.Key !== undefined && sameTagKey(tag.Key, key)) return tag.Value ?? '';
  return undefined;
}
