import React from 'react';
import { RadioButtonGroup } from '@grafana/ui';
import { RANGES, RangeKey } from '../../utils/time';

export function RangePicker({ value, onChange }: { value: RangeKey; onChange: (v: RangeKey) => void }) {
  return (
    <RadioButtonGroup<RangeKey>
      aria-label="Time range"
      size="sm"
      value={value}
      onChange={onChange}
      options={RANGES.map((r) => ({ value: r.value, label: r.value, description: r.label }))}
    />
  );
}
