/**
 * Stable, deterministic UIDs. Grafana accepts at most 40 characters from [a-zA-Z0-9_-]; the
 * same inputs always give the same UID, so a second apply updates in place instead of duplicating.
 */

export const UID_MAX_LENGTH = 40;
export const UID_PATTERN = /^[a-zA-Z0-9_-]{1,40}$/;

/** FNV-1a, 32 bit: tiny, dependency-free and identical in Node and browsers. */
export function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, '0');
}

/** `tfdrift-<key>-<hash of the scope>`; the scope (job label) keeps two deployments in one Grafana apart. */
export function ruleUid(key: string, scope: string): string {
  const slug = key.replace(/[^a-zA-Z0-9]+/g, '-').toLowerCase();
  const suffix = fnv1a(scope);
  const head = `tfdrift-${slug}`.slice(0, UID_MAX_LENGTH - suffix.length - 1);
  return `${head}-${suffix}`;
}

export function isValidUid(uid: string): boolean {
  return UID_PATTERN.test(uid);
}
