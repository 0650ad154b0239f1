/** The README's presets table is generated from the code: regenerate with UPDATE_GOLDEN=1. */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { presetsMarkdown } from '../src/index.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const START = '<!-- presets:start -->';
const END = '<!-- presets:end -->';

it('README presets table matches PRESETS', () => {
  const text = readFileSync(README, 'utf8');
  const expected = `${START}\n${presetsMarkdown()}\n${END}`;
  const actual = text.slice(text.indexOf(START), text.indexOf(END) + END.length);
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(README, text.replace(actual, expected));
    return;
  }
  expect(actual).toBe(expected);
});
