/**
 * Golden files of the built alerting resources per preset. A change to the rules must show up
 * as a reviewed change to test/golden/*.json: regenerate with `UPDATE_GOLDEN=1 npx vitest run`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildAlerting, PRESET_NAMES } from '../src/index.js';
import { goldenOptions } from './fixtures.js';

const goldenPath = (preset: string) => fileURLToPath(new URL(`./golden/${preset}.json`, import.meta.url));

describe('golden rule JSON', () => {
  for (const preset of PRESET_NAMES) {
    it(`preset ${preset} matches test/golden/${preset}.json`, () => {
      const built = buildAlerting(goldenOptions(preset));
      const actual = `${JSON.stringify(built, null, 2)}\n`;
      if (process.env.UPDATE_GOLDEN === '1') {
        writeFileSync(goldenPath(preset), actual);
      }
      expect(actual).toBe(readFileSync(goldenPath(preset), 'utf8'));
    });
  }

  it('is deterministic: building twice gives identical JSON', () => {
    expect(JSON.stringify(buildAlerting(goldenOptions('small')))).toBe(JSON.stringify(buildAlerting(goldenOptions('small'))));
  });
});
