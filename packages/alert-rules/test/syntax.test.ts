/** Every query in every rule parses with Grafana's LogQL grammar and Prometheus' PromQL grammar. */
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import type { LRParser } from '@lezer/lr';
import { describe, expect, it } from 'vitest';
import { buildAlerting, PRESET_NAMES, type AlertRulesOptions } from '../src/index.js';
import { goldenOptions } from './fixtures.js';

/** Positions of error nodes (⚠) in the parse tree, with the text around them. */
function syntaxErrors(parser: LRParser, query: string): string[] {
  const errors: string[] = [];
  parser.parse(query).iterate({
    enter: (node) => {
      if (node.type.isError) {
        errors.push(`at ${node.from}: …${query.slice(Math.max(0, node.from - 20), node.from + 20)}…`);
      }
    },
  });
  return errors;
}

const variants: Array<[string, AlertRulesOptions]> = [
  ...PRESET_NAMES.map((p): [string, AlertRulesOptions] => [`preset ${p}`, goldenOptions(p)]),
  ['no production accounts', { preset: 'small', lokiDatasourceUid: 'loki', prometheusDatasourceUid: 'prom' }],
  ['odd job label and account IDs', { preset: 'large', lokiDatasourceUid: 'loki', prometheusDatasourceUid: 'prom', jobLabel: 'drift "prod"\\eu', productionAccounts: ['proj.a+b', 'sub-(1)'] }],
  ['edited windows', { preset: 'small', lokiDatasourceUid: 'loki', prometheusDatasourceUid: 'prom', tuning: { critical: { window: '1h30m' }, drift_rate: { window: '1d' } } }],
];

describe('query syntax', () => {
  for (const [name, options] of variants) {
    it(`${name}: LogQL parses with @grafana/lezer-logql and PromQL with @prometheus-io/lezer-promql`, () => {
      const built = buildAlerting(options);
      let loki = 0;
      let prom = 0;
      for (const rule of built.group.rules) {
        const source = rule.data.find((q) => q.datasourceUid !== '__expr__')!;
        const expr = String(source.model.expr);
        const type = (source.model.datasource as { type: string }).type;
        const parser = type === 'loki' ? logqlParser : promqlParser;
        if (type === 'loki') loki++;
        else prom++;
        expect(syntaxErrors(parser, expr), `${rule.uid}: ${expr}`).toEqual([]);
      }
      expect(loki).toBe(6);
      expect(prom).toBe(3);
    });
  }

  it('the check is real: broken queries produce error nodes in both grammars', () => {
    expect(syntaxErrors(logqlParser, 'sum by (a) (count_over_time({job="x"} | json [5m]')).not.toEqual([]);
    expect(syntaxErrors(logqlParser, '{job="x" | json')).not.toEqual([]);
    expect(syntaxErrors(promqlParser, 'count(up{job="x"} == ) or')).not.toEqual([]);
  });
});
