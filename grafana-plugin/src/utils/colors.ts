/** Theme visualization colour names (resolved with theme.visualization.getColorByName). */
export const SEVERITY_COLORS: Record<string, string> = {
  critical: 'red',
  high: 'orange',
  medium: 'yellow',
  low: 'blue',
  info: 'purple',
};

export const CHANGE_TYPE_COLORS: Record<string, string> = {
  unmanaged: 'orange',
  missing: 'red',
  modified: 'blue',
};
