import fs from 'fs';
import path from 'path';
import { parse } from 'yaml';
import pluginJson from '../plugin.json';
import { allDashboards, serialize } from './build';
import { logqlErrors, promqlErrors } from '../queries/syntax';

const repoRoot = path.resolve(__dirname, '..', '..', '..');
type AnyPanel = {
  title: string;
  datasource: { type: string; uid: string };
  targets: Array<{ expr: string; datasource: { type: string; uid: string } }>;
};

describe('generated dashboards', () => {
  const generated = allDashboards();

  it.each(Object.keys(generated))(
    'dashboards/%s is checked in exactly as the generator writes it',
    (file) => {
      const checkedIn = fs.readFileSync(path.join(repoRoot, 'dashboards', file), 'utf8');
      // If this fails: run `npm run dashboards -w tfdrift-drift-app` and commit dashboards/.
      expect(checkedIn).toBe(serialize(generated[file]));
    },
  );

  it('are all included by plugin.json', () => {
    const included = pluginJson.includes.filter((i) => i.type === 'dashboard').map((i) => i.path);
    expect(included.sort()).toEqual(
      Object.keys(generated)
        .map((f) => `dashboards/${f}`)
        .sort(),
    );
  });

  it('use only datasource uids that provisioning/grafana/datasources defines, with matching types', () => {
    const dir = path.join(repoRoot, 'provisioning', 'grafana', 'datasources');
    const provisioned = fs
      .readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .flatMap(
        (f) =>
          (parse(fs.readFileSync(path.join(dir, f), 'utf8')).datasources ?? []) as Array<{
            uid: string;
            type: string;
          }>,
      );
    const byUid = new Map(provisioned.map((d) => [d.uid, d.type]));
    for (const dashboard of Object.values(generated) as Array<{ panels: AnyPanel[] }>) {
      for (const p of dashboard.panels) {
        for (const ref of [p.datasource, ...p.targets.map((t) => t.datasource)]) {
          expect({ panel: p.title, type: byUid.get(ref.uid) }).toEqual({ panel: p.title, type: ref.type });
        }
      }
    }
  });

  it('contain only queries that parse (LogQL for Loki targets, PromQL for Prometheus)', () => {
    for (const dashboard of Object.values(generated) as Array<{ panels: AnyPanel[] }>) {
      for (const p of dashboard.panels) {
        for (const t of p.targets) {
          const errors = t.datasource.type === 'loki' ? logqlErrors(t.expr) : promqlErrors(t.expr);
          expect({ panel: p.title, expr: t.expr, errors }).toEqual({
            panel: p.title,
            expr: t.expr,
            errors: [],
          });
        }
      }
    }
  });

  it('have stable uids and guarded Loki queries', () => {
    const uids = (Object.values(generated) as Array<{ uid: string }>).map((d) => d.uid);
    expect(uids).toEqual(['tfdrift-overview', 'tfdrift-account']);
    const text = JSON.stringify(generated);
    const lokiExprs = [...text.matchAll(/"expr":"((?:[^"\\]|\\.)*)"/g)]
      .map((m) => JSON.parse(`"${m[1]}"`) as string)
      .filter((e) => e.includes('{job='));
    expect(lokiExprs.length).toBeGreaterThan(5);
    lokiExprs.forEach((e) => expect(e).toContain('| json | __error__=""'));
  });
});
