import { describe, expect, it } from 'vitest';
import { parseStateDocument } from '../../src/state/parse.js';

const source = { name: 's', location: '/tmp/x.tfstate', provider: 'aws' as const, accountId: null, region: null };

describe('secrets never reach messages', () => {
  it('a state that is not JSON is reported by position, without quoting its content', () => {
    const text = '{"version": 4, "resources": [{"password": "hunter2-super-secret" oops}]}';
    let message = '';
    try {
      parseStateDocument(text, source);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^\/tmp\/x\.tfstate: not JSON \(syntax error/);
    expect(message).not.toContain('hunter2');
  });
});
