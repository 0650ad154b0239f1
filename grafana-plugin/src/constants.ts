import pluginJson from './plugin.json';

export const PLUGIN_ID = pluginJson.id;
export const PLUGIN_BASE_URL = `/a/${pluginJson.id}`;

/** Route segments under PLUGIN_BASE_URL; plugin.json "includes" use the same paths. */
export enum ROUTES {
  Overview = 'overview',
  ThreeWay = 'three-way',
  DriftDetail = 'drift',
  AlertRules = 'alert-rules',
  Configuration = 'configuration',
}
