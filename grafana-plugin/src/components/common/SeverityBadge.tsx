import React from 'react';
import { Badge, BadgeColor } from '@grafana/ui';

const COLORS: Record<string, BadgeColor> = {
  critical: 'red',
  high: 'orange',
  medium: 'darkgrey',
  low: 'blue',
  info: 'purple',
};

export function SeverityBadge({ severity }: { severity: string }) {
  return <Badge text={severity} color={COLORS[severity] ?? 'darkgrey'} />;
}
