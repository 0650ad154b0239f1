import React from 'react';
import { css } from '@emotion/css';
import { FieldColorModeId, GrafanaTheme2, ThresholdsMode, VizOrientation } from '@grafana/data';
import { BarGaugeNamePlacement } from '@grafana/schema';
import { BarGauge, BarGaugeDisplayMode, useStyles2, useTheme2 } from '@grafana/ui';

export interface BarItem {
  label: string;
  value: number;
  /** A theme visualization colour name (`red`, `orange`, …); the theme's palette otherwise. */
  color?: string;
  /** Where a click on the bar goes. */
  href?: string;
}

const ROW_HEIGHT = 28;
/** Labels longer than this go above their bar instead of beside it (account / region pairs). */
const LONG_LABEL = 18;

/** Horizontal bars, one Grafana BarGauge per item, on the theme's colours. */
export function BarGaugeList({ items, width, testId }: { items: BarItem[]; width: number; testId: string }) {
  const theme = useTheme2();
  const styles = useStyles2(getStyles);
  const max = Math.max(1, ...items.map((i) => i.value));
  const palette = theme.visualization.palette;
  // Same title and value widths on every row, so the bars line up.
  const longest = items.reduce((a, i) => (i.label.length > a.length ? i.label : a), '');
  const alignmentFactors = { title: longest, text: String(max), numeric: max };
  const labelsOnTop = longest.length > LONG_LABEL;
  return (
    <ul className={styles.list} data-testid={testId}>
      {items.map((item, i) => {
        const color = theme.visualization.getColorByName(item.color ?? palette[i % palette.length]);
        // Before the panel is measured (and where nothing is laid out), a plain label and value.
        const bar =
          width <= 0 ? (
            <span>
              {item.label} {item.value}
            </span>
          ) : (
            <BarGauge
              theme={theme}
              width={Math.max(120, width)}
              height={labelsOnTop ? ROW_HEIGHT + 16 : ROW_HEIGHT}
              namePlacement={labelsOnTop ? BarGaugeNamePlacement.Top : BarGaugeNamePlacement.Left}
              orientation={VizOrientation.Horizontal}
              displayMode={BarGaugeDisplayMode.Basic}
              field={{
                min: 0,
                max,
                color: { mode: FieldColorModeId.Fixed, fixedColor: color },
                thresholds: { mode: ThresholdsMode.Absolute, steps: [{ value: -Infinity, color }] },
              }}
              value={{ numeric: item.value, text: String(item.value), color, title: item.label }}
              text={{ titleSize: 12, valueSize: 14 }}
              showUnfilled
              alignmentFactors={alignmentFactors}
              isOverflow={false}
            />
          );
        return (
          <li
            key={item.label}
            data-label={item.label}
            data-value={String(item.value)}
            title={`${item.label}: ${item.value}`}
          >
            {item.href ? (
              <a href={item.href} className={styles.link}>
                {bar}
              </a>
            ) : (
              bar
            )}
          </li>
        );
      })}
    </ul>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  list: css({ listStyle: 'none', margin: 0, padding: 0, li: { marginBottom: theme.spacing(0.5) } }),
  link: css({ display: 'block' }),
});
