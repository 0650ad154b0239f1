import { PLUGIN_BASE_URL, ROUTES } from '../constants';

/** Prefixes a route with the plugin's base URL (as in the create-plugin app template). */
export function prefixRoute(route: string): string {
  return `${PLUGIN_BASE_URL}/${route}`;
}

/** Link to the Drift detail page of one drift_id. */
export function driftDetailUrl(driftId: string): string {
  return `${prefixRoute(ROUTES.DriftDetail)}/${encodeURIComponent(driftId)}`;
}
