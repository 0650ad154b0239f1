import React from 'react';
import { css } from '@emotion/css';
import { GrafanaTheme2 } from '@grafana/data';
import { useStyles2 } from '@grafana/ui';
import type { Series } from '../../api/parse';
import { formatTime } from '../../utils/time';

interface Props {
  series: Series[];
  /** Label whose value names each series (e.g. severity). */
  seriesLabel: string;
  colors: Record<string, string>;
  order: string[];
  /** The queried window and step: empty steps are real gaps, so bars sit at their time slot. */
  from: number;
  to: number;
  stepMs: number;
  testId?: string;
  height?: number;
}

/** Stacked columns over time (drifts per step by severity) as SVG. */
export function StackedBars({
  series,
  seriesLabel,
  colors,
  order,
  from,
  to,
  stepMs,
  testId,
  height = 160,
}: Props) {
  const styles = useStyles2(getStyles);
  const slots = Math.max(1, Math.floor((to - from) / stepMs) + 1);
  const times = Array.from({ length: slots }, (_, i) => from + i * stepMs);
  const slotOf = (t: number) => Math.min(slots - 1, Math.max(0, Math.round((t - from) / stepMs)));
  const byName = new Map<string, Map<number, number>>();
  for (const s of series) {
    const perSlot = new Map<number, number>();
    s.points.forEach(([t, v]) => perSlot.set(times[slotOf(t)], (perSlot.get(times[slotOf(t)]) ?? 0) + v));
    byName.set(s.labels[seriesLabel] ?? '', perSlot);
  }
  const names = [...byName.keys()].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const totals = times.map((t) => names.reduce((sum, n) => sum + (byName.get(n)!.get(t) ?? 0), 0));
  const max = Math.max(1, ...totals);
  const width = 600;
  const barWidth = times.length > 0 ? width / times.length : width;
  const grandTotal = series.reduce((sum, s) => sum + s.points.reduce((a, [, v]) => a + v, 0), 0);
  return (
    <div data-testid={testId} data-total={grandTotal}>
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        className={styles.svg}
        role="img"
        aria-label="drifts over time"
      >
        {times.map((t, i) => {
          let y = height;
          return names.map((n) => {
            const v = byName.get(n)!.get(t) ?? 0;
            if (v <= 0) {
              return null;
            }
            const h = (v / max) * (height - 4);
            y -= h;
            return (
              <rect
                key={`${t}-${n}`}
                x={i * barWidth + 1}
                y={y}
                width={Math.max(1, barWidth - 2)}
                height={h}
                fill={colors[n] ?? '#888'}
              >
                <title>{`${formatTime(t)} ${n}: ${v}`}</title>
              </rect>
            );
          });
        })}
      </svg>
      <div className={styles.legend}>
        {names.map((n) => (
          <span key={n} className={styles.legendItem}>
            <span className={styles.swatch} style={{ background: colors[n] ?? '#888' }} />
            {n}
          </span>
        ))}
        {times.length > 0 && (
          <span className={styles.axis}>
            {formatTime(times[0])} – {formatTime(times[times.length - 1])}
          </span>
        )}
      </div>
    </div>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  svg: css({ width: '100%', height: 160, background: theme.colors.background.secondary, borderRadius: 2 }),
  legend: css({
    display: 'flex',
    flexWrap: 'wrap',
    gap: theme.spacing(2),
    marginTop: theme.spacing(1),
    fontSize: theme.typography.bodySmall.fontSize,
  }),
  legendItem: css({ display: 'inline-flex', alignItems: 'center', gap: 4 }),
  swatch: css({ width: 10, height: 10, borderRadius: 2, display: 'inline-block' }),
  axis: css({ marginLeft: 'auto', color: theme.colors.text.secondary }),
});
