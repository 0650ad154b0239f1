import React from 'react';
import { Button, Checkbox, Input, Stack } from '@grafana/ui';
import {
  describeWindow,
  validateWindow,
  WEEKDAYS,
  type MaintenanceWindow,
  type Weekday,
} from '@tfdrift/alert-rules';

interface Props {
  windows: MaintenanceWindow[];
  onChange: (windows: MaintenanceWindow[]) => void;
}

const defaultZone = (): string => {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
};

/** Weekly windows and one-off date ranges; they become one mute timing on these alerts' policy. */
export function MaintenanceWindowsEditor({ windows, onChange }: Props) {
  const update = (index: number, next: MaintenanceWindow) =>
    onChange(windows.map((w, i) => (i === index ? next : w)));
  const remove = (index: number) => onChange(windows.filter((_, i) => i !== index));
  return (
    <div data-testid="maintenance-windows">
      {windows.length === 0 && <p>No maintenance windows: notifications are never muted.</p>}
      {windows.map((w, i) => {
        const problems = validateWindow(w);
        if (w.kind === 'interval') {
          // Read back from Grafana's mute timing: shown as is, kept verbatim unless removed.
          return (
            <div key={i} data-testid={`window-${i}`} style={{ marginBottom: 12 }}>
              <Stack direction="row" gap={1} alignItems="center">
                <strong>Applied</strong>
                <span>{describeWindow(w)}</span>
                <Button
                  variant="secondary"
                  size="sm"
                  icon="trash-alt"
                  aria-label={`remove window ${i}`}
                  onClick={() => remove(i)}
                />
              </Stack>
            </div>
          );
        }
        return (
          <div key={i} data-testid={`window-${i}`} style={{ marginBottom: 12 }}>
            <Stack direction="row" gap={1} alignItems="center" wrap="wrap">
              <strong>{w.kind === 'weekly' ? 'Every week' : 'Once'}</strong>
              {w.kind === 'weekly' ? (
                <>
                  {WEEKDAYS.map((day) => (
                    <Checkbox
                      key={day}
                      label={day.slice(0, 3)}
                      aria-label={`window ${i} ${day}`}
                      value={w.weekdays.includes(day)}
                      onChange={(e) =>
                        update(i, {
                          ...w,
                          weekdays: e.currentTarget.checked
                            ? [...w.weekdays, day as Weekday]
                            : w.weekdays.filter((d) => d !== day),
                        })
                      }
                    />
                  ))}
                  <Input
                    aria-label={`window ${i} start`}
                    width={10}
                    value={w.startTime}
                    placeholder="HH:MM"
                    onChange={(e) => update(i, { ...w, startTime: e.currentTarget.value })}
                  />
                  <span>to</span>
                  <Input
                    aria-label={`window ${i} end`}
                    width={10}
                    value={w.endTime}
                    placeholder="HH:MM"
                    onChange={(e) => update(i, { ...w, endTime: e.currentTarget.value })}
                  />
                </>
              ) : (
                <>
                  <Input
                    aria-label={`window ${i} start`}
                    width={22}
                    value={w.start}
                    placeholder="YYYY-MM-DDTHH:MM"
                    onChange={(e) => update(i, { ...w, start: e.currentTarget.value })}
                  />
                  <span>to</span>
                  <Input
                    aria-label={`window ${i} end`}
                    width={22}
                    value={w.end}
                    placeholder="YYYY-MM-DDTHH:MM"
                    onChange={(e) => update(i, { ...w, end: e.currentTarget.value })}
                  />
                </>
              )}
              <Input
                aria-label={`window ${i} time zone`}
                width={20}
                value={w.location}
                onChange={(e) => update(i, { ...w, location: e.currentTarget.value })}
              />
              <Button
                variant="secondary"
                size="sm"
                icon="trash-alt"
                aria-label={`remove window ${i}`}
                onClick={() => remove(i)}
              />
            </Stack>
            {problems.length > 0 && (
              <div role="alert" style={{ color: 'var(--error-text-color, #d10e5c)' }}>
                {problems.join('; ')}
              </div>
            )}
          </div>
        );
      })}
      <Stack direction="row" gap={1}>
        <Button
          variant="secondary"
          size="sm"
          icon="plus"
          onClick={() =>
            onChange([
              ...windows,
              {
                kind: 'weekly',
                weekdays: ['saturday'],
                startTime: '22:00',
                endTime: '02:00',
                location: defaultZone(),
              },
            ])
          }
        >
          Weekly window
        </Button>
        <Button
          variant="secondary"
          size="sm"
          icon="plus"
          onClick={() =>
            onChange([...windows, { kind: 'once', start: '', end: '', location: defaultZone() }])
          }
        >
          One-off window
        </Button>
      </Stack>
    </div>
  );
}
