import { bundleHarness } from './bundle';

/** The harness with Grafana's data source service, so pages using the DataSourcePicker run. */
export function bundleHarnessWithDatasources(outDir: string): Promise<void> {
  return bundleHarness(outDir, 'harness-entry-datasources.tsx');
}
