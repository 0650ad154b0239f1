import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileGlob, globMatcher } from '../../src/detect/glob.js';
import { DriftLedger } from '../../src/detect/ledger.js';
import { draftDriftId, buildDriftRecord } from '../../src/detect/record.js';
import { getPath, isFanOut, walkAll } from '../../src/util/paths.js';
import { auditEventFromCloudTrail } from '../../src/providers/aws/record.js';
import { demoRecords } from '../../src/cli/commands/demo.js';

describe('hot-path rewrites agree with their plain versions', () => {
  it('getPath (split once, single walk without fan-out) equals the general list-per-step walk on arbitrary JSON and paths', () => {
    const key = fc.constantFrom('a', 'b', 'items', '0', '1', '*', 'length', 'x');
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.array(key, { minLength: 1, maxLength: 5 }), (doc, keys) => {
        const path = keys.join('.');
        expect(getPath(doc, path)).toEqual(walkAll(doc, keys));
        expect(isFanOut(path)).toBe(keys.includes('*'));
      }),
      { numRuns: 3000 },
    );
  });

  it('globMatcher (compiled once per list) equals testing each glob, regex metacharacters included', () => {
    const glob = fc.stringMatching(/^[a-z_.*?+()[\]|$^\\]{0,8}$/);
    fc.assert(
      fc.property(fc.array(glob, { minLength: 1, maxLength: 4 }), fc.stringMatching(/^[a-z_.+()$^|]{0,10}$/), (globs, value) => {
        expect(globMatcher(globs)(value)).toBe(globs.some((g) => compileGlob(g).test(value)));
      }),
      { numRuns: 3000 },
    );
    expect(globMatcher(['aws_iam_*'])(null)).toBe(false);
    expect(globMatcher(undefined)(null)).toBe(true);
  });

  it('ledger.touch counts a repeat inside the window without a record, and refuses outside it', () => {
    const ledger = new DriftLedger(1000);
    const event = auditEventFromCloudTrail(demoRecords().find((r) => r.eventName === 'AttachRolePolicy'));
    const draft = { changeType: 'unmanaged' as const, resourceType: 'aws_iam_role_policy_attachment', resourceId: 'r/p', resource: null, changes: [] };
    const id = draftDriftId(draft, event);
    expect(ledger.touch(id, 0)).toBe(false); // not open yet
    const record = buildDriftRecord(draft, event, { severity: 'high', suggestedFix: null, detectedAt: new Date(0), version: 't', exporter: 'tfdrift-0' });
    expect(record.drift_id).toBe(id);
    expect(ledger.open(record, 0)).toBe(true);
    expect(ledger.touch(id, 500)).toBe(true);
    expect(ledger.get(id)?.occurrences).toBe(2);
    expect(ledger.touch(id, 1600)).toBe(false); // 1100 ms after the last sighting: the window has passed
    expect(ledger.open(record, 1600)).toBe(true); // so it is emitted again
  });
});
