/** The plugin harness with Grafana's DataSourceSrv installed first (see install-datasources.ts). */
import './install-datasources';
import './harness-entry';
