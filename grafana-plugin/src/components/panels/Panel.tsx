import React from 'react';
import { css, keyframes } from '@emotion/css';
import { GrafanaTheme2, LoadingState, TimeRange } from '@grafana/data';
import { config } from '@grafana/runtime';
import { Menu, PanelChrome, useStyles2 } from '@grafana/ui';
import { exploreUrl, ExploreTarget } from '../../queries/explore';
import { useElementWidth } from './useElementWidth';

interface Props {
  title: string;
  testId: string;
  /** The queries behind the panel: its menu's "Explore" opens them over `range`. */
  explore?: ExploreTarget[];
  range: TimeRange;
  loading?: boolean;
  description?: string;
  actions?: React.ReactNode;
  /** Fixed height: children get the inner size (charts). Without it the panel grows with its content. */
  height?: number;
  children: React.ReactNode | ((width: number, height: number) => React.ReactNode);
}

/** Grafana's PanelChrome with an "Explore" menu item and a skeleton while the first answer loads. */
export function Panel({
  title,
  testId,
  explore,
  range,
  loading,
  description,
  actions,
  height,
  children,
}: Props) {
  const styles = useStyles2(getStyles);
  const [ref, width] = useElementWidth<HTMLDivElement>();
  const menu =
    explore && explore.length > 0 ? (
      <Menu>
        <Menu.Item
          label="Explore"
          icon="compass"
          url={`${config.appSubUrl ?? ''}${exploreUrl(explore, range)}`}
          testId={`${testId}-explore`}
        />
      </Menu>
    ) : undefined;
  const common = {
    title,
    description,
    menu,
    actions,
    loadingState: loading ? LoadingState.Loading : LoadingState.Done,
  };
  const body = (w: number, h: number) =>
    loading ? <Skeleton height={h} /> : typeof children === 'function' ? children(w, h) : children;
  return (
    <div ref={ref} className={styles.wrap} data-testid={testId} data-loading={loading ? 'true' : 'false'}>
      {height !== undefined ? (
        width > 0 && (
          <PanelChrome {...common} width={width} height={height}>
            {(w, h) => body(w, h)}
          </PanelChrome>
        )
      ) : (
        <PanelChrome {...common}>{body(width, 96)}</PanelChrome>
      )}
    </div>
  );
}

/** A placeholder block while a panel's first answer loads. */
export function Skeleton({ height, lines }: { height?: number; lines?: number }) {
  const styles = useStyles2(getStyles);
  if (lines) {
    return (
      <div aria-busy="true" data-testid="skeleton">
        {Array.from({ length: lines }, (_, i) => (
          <div key={i} className={styles.skeleton} style={{ height: 20, marginBottom: 8 }} />
        ))}
      </div>
    );
  }
  return <div aria-busy="true" data-testid="skeleton" className={styles.skeleton} style={{ height }} />;
}

const shimmer = keyframes({ '0%': { opacity: 0.5 }, '50%': { opacity: 1 }, '100%': { opacity: 0.5 } });

const getStyles = (theme: GrafanaTheme2) => ({
  wrap: css({ minWidth: 0 }),
  skeleton: css({
    width: '100%',
    borderRadius: theme.shape.radius.default,
    background: theme.colors.background.secondary,
    animation: `${shimmer} 1.5s ease-in-out infinite`,
  }),
});
