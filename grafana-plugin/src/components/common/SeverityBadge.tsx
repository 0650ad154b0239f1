import React from 'react';
import { Badge, BadgeColor } from '@grafana/ui';

const COLORS: Record<string, BadgeColor> = {
  critical: 'red',
  high: 'orange',
  medium: 'blue',
  low: 'green',
  info: 'purple',
};

export const SEVERITY_COLORS: Record<string, string> = {
  critical: '#e02f44',
  high: '#ff9830',
  medium: '#5794f2',
  low: '#73bf69',
  info: '#b877d9',
};

export function SeverityBadge({ severity }: { severity: string }) {
  return <Badge text={severity} color={COLORS[severity] ?? 'darkgrey'} />;
}
