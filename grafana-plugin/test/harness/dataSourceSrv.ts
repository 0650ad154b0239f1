import type { DataSourceInstanceSettings, DataSourceRef } from '@grafana/data';
import { setDataSourceSrv, type DataSourceSrv, type GetDataSourceListFilters } from '@grafana/runtime';
import { DATASOURCES } from '../peers/grafanaApi';

export interface DatasourceEntry {
  uid: string;
  name: string;
  type: string;
}

/**
 * Grafana's DataSourceSrv for tests and the browser harness, over a fixed list of data sources
 * (by default the ones the Grafana API slice serves): `getList` filters by type and sorts by
 * name, `getInstanceSettings` finds by UID or name, as Grafana's own does. Additive to the harness:
 * pages that use Grafana's DataSourcePicker need it.
 */
export function installDataSourceSrv(list: DatasourceEntry[] = DATASOURCES): DataSourceInstanceSettings[] {
  const settings = list.map(
    (d, i) =>
      ({
        id: i + 1,
        uid: d.uid,
        name: d.name,
        type: d.type,
        access: 'proxy',
        readOnly: false,
        isDefault: false,
        jsonData: {},
        meta: { id: d.type, name: d.type, type: 'datasource', module: '', baseUrl: '', info: { logos: { small: '', large: '' } } },
      }) as unknown as DataSourceInstanceSettings,
  );
  const find = (ref?: string | DataSourceRef | null) => {
    const key = typeof ref === 'string' ? ref : ref?.uid;
    return settings.find((s) => s.uid === key || s.name === key);
  };
  const srv = {
    getList: (filters: GetDataSourceListFilters = {}) =>
      settings
        .filter((s) => !filters.type || (Array.isArray(filters.type) ? filters.type.includes(s.type) : s.type === filters.type))
        .filter((s) => !filters.filter || filters.filter(s))
        .sort((a, b) => a.name.localeCompare(b.name)),
    getInstanceSettings: find,
    get: async (ref?: string | DataSourceRef | null) => {
      const found = find(ref);
      if (!found) {
        throw new Error(`Datasource ${JSON.stringify(ref)} was not found`);
      }
      return found;
    },
    reload: async () => {},
    registerRuntimeDataSource: () => {},
  };
  setDataSourceSrv(srv as unknown as DataSourceSrv);
  return settings;
}
