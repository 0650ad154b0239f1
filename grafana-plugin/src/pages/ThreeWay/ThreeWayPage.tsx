import React, { useCallback, useEffect, useMemo } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { css } from '@emotion/css';
import { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { locationService, PluginPage } from '@grafana/runtime';
import {
  Alert,
  InteractiveTable,
  MultiSelect,
  Pagination,
  Stack,
  Tab,
  TabsBar,
  useStyles2,
  type FetchDataFunc,
} from '@grafana/ui';
import { lokiInstant, lokiLabelValues, lokiLogs } from '../../api/client';
import { classifyError } from '../../api/problems';
import { NoDataState, PageError } from '../../components/common/PageState';
import { Panel, Skeleton } from '../../components/panels/Panel';
import { TimeControls } from '../../components/time/TimeControls';
import { useAsync } from '../../hooks/useAsync';
import { usePageTime } from '../../hooks/useTimeRange';
import { resolutionsQuery, threeWayCountQuery, threeWayRowsQuery } from '../../queries/threeWay';
import { CHANGE_TYPES, ChangeType, PROVIDERS, SEVERITIES } from '../../types/drift';
import { distinct } from '../../utils/drifts';
import { useAppSettings } from '../../utils/settings';
import { durationFor } from '../../utils/time';
import { driftDetailUrl } from '../../utils/utils.routing';
import { DriftRow, rowsOf, sortRows } from './rows';
import {
  paramsFromState,
  SortColumn,
  stateFromParams,
  THREE_WAY_FILTERS,
  ThreeWayFilterKey,
  ThreeWayState,
} from './threeWayFilters';
import { useDriftColumns } from './columns';
import { useDriftLines } from './useDriftLines';

export const PAGE_SIZE = 50;
/** Lines of the first read: the first two pages, so the first page paints without waiting for more. */
const FIRST_CHUNK = 2 * PAGE_SIZE;
/** Sorting by another column than time sorts at most this many newest rows, loaded in 5,000-line reads. */
export const SORT_BUDGET = 20_000;

const TITLES: Record<ChangeType, string> = {
  unmanaged: 'Unmanaged',
  missing: 'Missing',
  modified: 'Modified',
};
const HELP: Record<ChangeType, string> = {
  unmanaged: 'Created or changed in the cloud, managed by no loaded Terraform state.',
  missing: 'In Terraform state, deleted in the cloud.',
  modified: 'In Terraform state, an attribute now differs in the cloud.',
};

export function ThreeWayPage() {
  const settings = useAppSettings();
  const styles = useStyles2(getStyles);
  const navigate = useNavigate();
  const location = useLocation();
  const time = usePageTime();
  const { window, range } = time;
  const state = useMemo(() => stateFromParams(new URLSearchParams(location.search)), [location.search]);
  const uid = settings.lokiDatasourceUid;
  const filterKey = JSON.stringify(state.filters);
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const filters = useMemo(() => state.filters, [filterKey]);

  const countQuery = threeWayCountQuery(settings.jobLabel, filters, durationFor(window.to - window.from));
  const counts = useAsync(async () => {
    const samples = await lokiInstant(uid, countQuery, window.to);
    const detected: Record<string, number> = {};
    const resolved: Record<string, number> = {};
    for (const s of samples) {
      const target = s.labels.event_type === 'terraform_drift_resolved' ? resolved : detected;
      target[s.labels.change_type ?? ''] = (target[s.labels.change_type ?? ''] ?? 0) + s.value;
    }
    let everWritten = true;
    if (samples.length === 0) {
      const jobs = await lokiLabelValues(uid, 'job', { from: window.to - 30 * 86_400_000, to: Date.now() });
      everWritten = jobs.includes(settings.jobLabel);
    }
    return { detected, resolved, everWritten };
  }, [uid, countQuery, window]);

  const rowsQuery = threeWayRowsQuery(settings.jobLabel, filters, state.tab);
  const lines = useDriftLines(uid, rowsQuery, window, FIRST_CHUNK);
  const total = counts.value?.detected[state.tab] ?? 0;
  const reachable = Math.min(total, SORT_BUDGET);
  const sortedByTime = state.sort.column === 'time' && state.sort.desc;
  const pages = Math.max(
    1,
    Math.ceil((sortedByTime ? reachable : Math.min(reachable, SORT_BUDGET)) / PAGE_SIZE),
  );
  const page = Math.min(state.page, pages);
  const { ensure } = lines;
  useEffect(() => {
    ensure(sortedByTime ? page * PAGE_SIZE : SORT_BUDGET);
  }, [ensure, sortedByTime, page]);

  const allRows = useMemo(() => rowsOf(lines.entries), [lines.entries]);
  const sorted = useMemo(() => sortRows(allRows, state.sort), [allRows, state.sort]);
  const sortComplete = sortedByTime || lines.exhausted || allRows.length >= SORT_BUDGET;
  const pageRows = useMemo(
    () => (sortComplete ? sorted.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE) : []),
    [sorted, page, sortComplete],
  );
  const pageReady =
    sortComplete && (pageRows.length > 0 || lines.exhausted || allRows.length >= page * PAGE_SIZE);

  // Which rows on screen are resolved, and why (resolutions can come after the range: read until now).
  const pageIds = useMemo(() => distinct(pageRows.map((r) => r.driftId)), [pageRows]);
  const resolutions = useAsync(async () => {
    if (pageIds.length === 0) {
      return new Map<string, string>();
    }
    const found = await lokiLogs(
      uid,
      resolutionsQuery(settings.jobLabel, state.tab, pageIds),
      { from: window.from, to: Math.max(window.to, Date.now()) },
      1000,
    );
    const out = new Map<string, string>();
    for (const e of found) {
      if (e.record && !out.has(e.record.drift_id)) {
        out.set(e.record.drift_id, e.record.resolution ?? 'resolved');
      }
    }
    return out;
  }, [uid, settings.jobLabel, state.tab, pageIds.join(','), window]);

  const labelOptions = useAsync(async () => {
    const [account_id, region, provider] = await Promise.all(
      ['account_id', 'region', 'provider'].map((l) => lokiLabelValues(uid, l, window).catch(() => [])),
    );
    return { account_id, region, provider };
  }, [uid, window]);

  const update = useCallback(
    (patch: Partial<ThreeWayState>) =>
      locationService.partial(paramsFromState({ ...state, page: 1, ...patch })),
    [state],
  );
  const detailUrl = (row: DriftRow) =>
    `${driftDetailUrl(row.driftId)}?${new URLSearchParams({ back: location.search.replace(/^\?/, '') }).toString()}`;

  const problem = counts.error
    ? classifyError(counts.cause, 'Loki', uid)
    : lines.error
      ? classifyError(lines.error, 'Loki', uid)
      : undefined;

  const selected = (key: ThreeWayFilterKey): string[] => {
    const v = state.filters[key];
    return Array.isArray(v) ? v : [];
  };
  const options = (key: ThreeWayFilterKey): Array<SelectableValue<string>> => {
    const fromRows = (f: (r: DriftRow) => string | null | undefined) => allRows.slice(0, 5000).map(f);
    const known: Record<ThreeWayFilterKey, Array<string | null | undefined>> = {
      account_id: labelOptions.value?.account_id ?? [],
      region: labelOptions.value?.region ?? [],
      provider: labelOptions.value?.provider?.length ? labelOptions.value.provider : [...PROVIDERS],
      severity: SEVERITIES,
      resource_type: fromRows((r) => r.record.resource_type),
      user_name: fromRows((r) => r.record.user?.name),
    };
    return distinct([...known[key], ...selected(key)]).map((v) => ({ label: v, value: v }));
  };

  const fetchData: FetchDataFunc<DriftRow> = useCallback(
    ({ sortBy }) => {
      const s = sortBy[0];
      const next = s
        ? { column: s.id as SortColumn, desc: !!s.desc }
        : { column: 'time' as SortColumn, desc: true };
      if (next.column !== state.sort.column || next.desc !== state.sort.desc) {
        update({ sort: next });
      }
    },
    [state.sort, update],
  );
  // The table remounts while a page loads: it must start from the URL's sort, or it would report its
  // own default back through fetchData and reset the sort.
  const initialSortBy = useMemo(
    () => [{ id: state.sort.column, desc: state.sort.desc }],
    [state.sort.column, state.sort.desc],
  );

  const columns = useDriftColumns(resolutions.value, time.timeZone, detailUrl, location.search);

  const onTableClick = (e: React.MouseEvent) => {
    const tr = (e.target as HTMLElement).closest('tbody tr');
    if (!tr || (e.target as HTMLElement).closest('button')) {
      return;
    }
    const index = Array.from(tr.parentElement?.children ?? []).indexOf(tr);
    const row = pageRows[index];
    if (row) {
      navigate(detailUrl(row));
    }
  };

  const loadingCounts = counts.loading && !counts.value;
  return (
    <PluginPage actions={<TimeControls time={time} loading={counts.loading || lines.loading} />}>
      <div className={styles.filters} data-testid="three-way-filters">
        {THREE_WAY_FILTERS.map((f) => (
          <div key={f.key} className={styles.filter}>
            <label className={styles.filterLabel} htmlFor={`filter-${f.param}`}>
              {f.label}
            </label>
            <MultiSelect<string>
              inputId={`filter-${f.param}`}
              aria-label={`Filter ${f.label}`}
              placeholder="All"
              allowCustomValue
              options={options(f.key)}
              value={selected(f.key)}
              onChange={(items) =>
                update({ filters: { ...state.filters, [f.key]: items.map((i) => i.value!).filter(Boolean) } })
              }
            />
          </div>
        ))}
      </div>
      {problem && <PageError problem={problem} onRetry={time.refreshNow} />}
      {!problem &&
        counts.value &&
        Object.keys(counts.value.detected).length === 0 &&
        Object.keys(counts.value.resolved).length === 0 && (
          <NoDataState everWritten={counts.value.everWritten} job={settings.jobLabel} />
        )}
      {!problem && (
        <>
          <TabsBar>
            {CHANGE_TYPES.map((c) => (
              <Tab
                key={c}
                label={TITLES[c]}
                active={state.tab === c}
                counter={counts.value ? (counts.value.detected[c] ?? 0) : undefined}
                onChangeTab={() => update({ tab: c, sort: state.sort })}
                data-testid={`tab-${c}`}
              />
            ))}
          </TabsBar>
          <div className={styles.counts} data-testid="three-way-counts">
            <span>Detected in range:</span>
            {CHANGE_TYPES.map((c) => (
              <span key={c}>
                {TITLES[c]}{' '}
                <strong data-testid={`count-${c}`}>
                  {loadingCounts ? '…' : (counts.value?.detected[c] ?? 0).toLocaleString('en-US')}
                </strong>
              </span>
            ))}
            <span>
              · resolutions in range{' '}
              <strong data-testid="count-resolved">
                {loadingCounts
                  ? '…'
                  : Object.values(counts.value?.resolved ?? {})
                      .reduce((a, b) => a + b, 0)
                      .toLocaleString('en-US')}
              </strong>
            </span>
          </div>
          <Panel
            title={`${TITLES[state.tab]} drifts`}
            description={HELP[state.tab]}
            testId={`column-${state.tab}`}
            range={range}
            explore={[
              { datasource: { type: 'loki', uid }, expr: rowsQuery },
              { datasource: { type: 'loki', uid }, expr: countQuery },
            ]}
          >
            <div data-testid="three-way-table" data-tab={state.tab} data-loaded={allRows.length}>
              {counts.value && total > SORT_BUDGET && !sortedByTime && (
                <Alert
                  severity="info"
                  title={`Sorted among the newest ${SORT_BUDGET.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`}
                >
                  Narrow the filters or the time range to sort every drift in range.
                </Alert>
              )}
              {!pageReady ? (
                <Skeleton lines={8} />
              ) : pageRows.length === 0 ? (
                <p className={styles.muted} data-testid="no-rows">
                  No {state.tab} drift in this range
                  {Object.keys(state.filters).length > 0 ? ' with these filters' : ''}.
                </p>
              ) : (
                <div onClick={onTableClick} className={styles.table}>
                  <InteractiveTable<DriftRow>
                    columns={columns}
                    data={pageRows}
                    getRowId={(r) => r.key}
                    fetchData={fetchData}
                    initialSortBy={initialSortBy}
                  />
                </div>
              )}
              <Stack justifyContent="space-between" alignItems="center">
                <span className={styles.muted} data-testid="page-info">
                  {total > 0 &&
                    `Rows ${((page - 1) * PAGE_SIZE + 1).toLocaleString('en-US')}–${Math.min(page * PAGE_SIZE, total).toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`}
                  {total > SORT_BUDGET && ` (pages reach the newest ${SORT_BUDGET.toLocaleString('en-US')})`}
                </span>
                <Pagination
                  currentPage={page}
                  numberOfPages={pages}
                  onNavigate={(p) => update({ page: p, sort: state.sort })}
                  hideWhenSinglePage
                />
              </Stack>
            </div>
          </Panel>
        </>
      )}
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  filters: css({
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(190px, 1fr))',
    gap: theme.spacing(1),
    marginBottom: theme.spacing(2),
  }),
  filter: css({ minWidth: 0 }),
  filterLabel: css({ fontSize: theme.typography.bodySmall.fontSize, color: theme.colors.text.secondary }),
  counts: css({
    display: 'flex',
    gap: theme.spacing(3),
    margin: theme.spacing(1, 0),
    color: theme.colors.text.secondary,
  }),
  table: css({
    overflowX: 'auto',
    'tbody tr': { cursor: 'pointer' },
    td: { paddingTop: 4, paddingBottom: 4 },
  }),
  muted: css({ color: theme.colors.text.secondary }),
});
