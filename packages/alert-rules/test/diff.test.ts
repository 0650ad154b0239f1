import { describe, expect, it } from 'vitest';
import { bodyMessage, diffRoute, diffValues, normalizeDuration, normalizeExistingRule, projectOnto, routeMatchers, withOwnRoute } from '../src/index.js';

describe('diff helpers', () => {
  it('durations compare by value: 5m0s = 300s = 5m, 0 = 0s', () => {
    expect(['5m0s', '300s', '5m'].map(normalizeDuration)).toEqual(['5m', '5m', '5m']);
    expect(normalizeDuration('0')).toBe('0s');
    expect(normalizeDuration('1h30m0s')).toBe('1h30m');
  });

  it('projection drops fields the server added, keeps the ones it changed', () => {
    expect(projectOnto({ a: 1, hide: false, nested: { x: 1, y: 2 } }, { a: 2, nested: { x: 0 } })).toEqual({ a: 1, nested: { x: 1 } });
  });

  it('field paths point at the difference', () => {
    expect(diffValues({ a: [{ b: 1 }], c: 'x' }, { a: [{ b: 2 }], c: 'x' })).toEqual([{ path: 'a[0].b', before: 1, after: 2 }]);
  });

  it('reads renamed rule fields from older versions', () => {
    const rule = normalizeExistingRule({ uid: 'u', folderUid: 'f', for: '10m0s', data: [{ refId: 'A', datasourceUID: 'loki', relativeTimeRange: { from: 60, to: 0 }, model: {} }] });
    expect(rule.folderUID).toBe('f');
    expect(rule.for).toBe('10m');
    expect(rule.data[0].datasourceUid).toBe('loki');
    expect(normalizeExistingRule({ for: 300_000_000_000 }).for).toBe('5m');
  });

  it('error messages come from message, msg or error', () => {
    expect(bodyMessage({ message: 'a' })).toBe('a');
    expect(bodyMessage({ msg: 'b' })).toBe('b');
    expect(bodyMessage({ error: 'c' })).toBe('c');
    expect(bodyMessage('<html>bad gateway</html>')).toBe('<html>bad gateway</html>');
  });

  it('routes match whatever matcher form Grafana returns', () => {
    expect(routeMatchers({ matchers: ['tfdrift_job="tfdrift"'], match: { a: 'b' }, match_re: { c: 'd.*' } })).toEqual([
      ['tfdrift_job', '=', 'tfdrift'],
      ['a', '=', 'b'],
      ['c', '=~', 'd.*'],
    ]);
    const own = { object_matchers: [['tfdrift_job', '=', 'tfdrift']] as Array<[string, string, string]>, mute_time_intervals: [] };
    expect(diffRoute({ matchers: ['tfdrift_job=tfdrift'], mute_time_intervals: [] }, own)).toEqual([]);
  });

  it('putting the route in keeps user settings of an existing one and the siblings', () => {
    const own = { object_matchers: [['tfdrift_job', '=', 'tfdrift']] as Array<[string, string, string]>, receiver: 'b' };
    const tree = { receiver: 'root', routes: [{ receiver: 'x' }, { matchers: ['tfdrift_job="tfdrift"'], receiver: 'a', repeat_interval: '1h' }] };
    expect(withOwnRoute(tree, own).routes).toEqual([{ receiver: 'x' }, { repeat_interval: '1h', object_matchers: [['tfdrift_job', '=', 'tfdrift']], receiver: 'b' }]);
    expect(withOwnRoute(tree, own, true).routes).toEqual([{ receiver: 'x' }]);
    expect(withOwnRoute({ receiver: 'root' }, own).routes).toEqual([own]);
  });
});
