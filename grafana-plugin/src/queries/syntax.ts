import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';

/**
 * Syntax errors of a query per Grafana's LogQL grammar / Prometheus's PromQL grammar (the parsers
 * Grafana's own query editors use). Used by tests to prove every generated query parses.
 */
function errorsOf(tree: ReturnType<typeof logqlParser.parse>, text: string): string[] {
  const errors: string[] = [];
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) {
        errors.push(
          `syntax error at ${node.from}: …${text.slice(Math.max(0, node.from - 10), node.to + 10)}…`,
        );
      }
    },
  });
  return errors;
}

/** Grafana variables are replaced by sample values first, as Grafana would before sending. */
export function interpolateForCheck(query: string): string {
  return query
    .replace(/\$\{[a-z_]+:regex\}/g, '.*')
    .replace(/\$__auto|\$__interval|\$__range|\$__rate_interval/g, '5m');
}

export function logqlErrors(query: string): string[] {
  const text = interpolateForCheck(query);
  return errorsOf(logqlParser.parse(text), text);
}

export function promqlErrors(query: string): string[] {
  const text = interpolateForCheck(query);
  return errorsOf(promqlParser.parse(text), text);
}
