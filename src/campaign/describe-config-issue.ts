import type { z } from 'zod';

/**
 * The key path and message of a YAML validation issue, as campaign and study errors print them:
 * an unknown key is named as the last part of its path ("unknown key "peeks"").
 */
export function describeConfigIssue(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    return { path: [...issue.path, key], message: `unknown key "${key}"` };
  }
  return { path: [...issue.path], message: issue.message };
}
