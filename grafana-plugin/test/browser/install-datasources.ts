// Imported before the harness entry: the Configuration page uses Grafana's DataSourcePicker,
// which reads Grafana's DataSourceSrv (set before the app renders, as Grafana does).
import { installDataSourceSrv } from '../harness/dataSourceSrv';

installDataSourceSrv();
