import React, { useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { css } from '@emotion/css';
import { GrafanaTheme2, SelectableValue } from '@grafana/data';
import { PluginPage } from '@grafana/runtime';
import { Alert, Button, InlineField, InlineSwitch, MultiSelect, Stack, useStyles2 } from '@grafana/ui';
import { lokiLabelValues, lokiLogs } from '../../api/client';
import { DriftTable } from '../../components/common/DriftTable';
import { RangePicker } from '../../components/common/RangePicker';
import { Section } from '../../components/common/Section';
import { useAsync } from '../../hooks/useAsync';
import { driftLogQuery } from '../../queries/logql';
import { CHANGE_TYPES, PROVIDERS, SEVERITIES } from '../../types/drift';
import { distinct, groupDrifts, splitByChangeType } from '../../utils/drifts';
import { useAppSettings } from '../../utils/settings';
import { windowFor } from '../../utils/time';
import { paramsFromState, stateFromParams, ThreeWayFilterKey } from './threeWayFilters';

/** Loki answers at most this many lines per query (its default max_entries_limit_per_query is 5000). */
const LINE_LIMIT = 5000;

const TITLES: Record<string, string> = {
  unmanaged: 'Unmanaged (not in any state)',
  missing: 'Missing (in state, gone from the cloud)',
  modified: 'Modified (differs from state)',
};

export function ThreeWayPage() {
  const settings = useAppSettings();
  const styles = useStyles2(getStyles);
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => stateFromParams(params), [params]);
  const [now, setNow] = useState(() => Date.now());
  const window = useMemo(() => windowFor(state.range, now), [state.range, now]);
  const query = driftLogQuery({ job: settings.jobLabel, filters: state.filters });

  const logs = useAsync(
    () => lokiLogs(settings.lokiDatasourceUid, query, window, LINE_LIMIT),
    [settings, query, window],
  );
  const labelOptions = useAsync(async () => {
    const [accounts, regions, providers] = await Promise.all(
      ['account_id', 'region', 'provider'].map((l) =>
        lokiLabelValues(settings.lokiDatasourceUid, l, window).catch(() => []),
      ),
    );
    return { account_id: accounts, region: regions, provider: providers };
  }, [settings, window]);

  const rows = useMemo(
    () => groupDrifts(logs.value ?? []).filter((r) => state.showResolved || !r.resolved),
    [logs.value, state.showResolved],
  );
  const columns = splitByChangeType(rows);
  const truncated = (logs.value?.length ?? 0) >= LINE_LIMIT;

  const update = (patch: Partial<typeof state>) => setParams(paramsFromState({ ...state, ...patch }));
  const setFilter = (key: ThreeWayFilterKey, values: string[]) =>
    update({ filters: { ...state.filters, [key]: values } });
  const selected = (key: ThreeWayFilterKey): string[] => {
    const v = state.filters[key];
    return Array.isArray(v) ? v : [];
  };
  const options = (key: ThreeWayFilterKey): Array<SelectableValue<string>> => {
    const known: Record<ThreeWayFilterKey, string[]> = {
      account_id: labelOptions.value?.account_id ?? [],
      region: labelOptions.value?.region ?? [],
      provider: labelOptions.value?.provider?.length ? labelOptions.value.provider : [...PROVIDERS],
      severity: SEVERITIES,
      resource_type: distinct((logs.value ?? []).map((e) => e.record?.resource_type)),
    };
    return distinct([...known[key], ...selected(key)]).map((v) => ({ label: v, value: v }));
  };

  const filterField = (key: ThreeWayFilterKey, label: string) => (
    <InlineField label={label} key={key}>
      <MultiSelect<string>
        aria-label={`Filter ${label}`}
        width={28}
        placeholder="All"
        options={options(key)}
        value={selected(key)}
        onChange={(items) => setFilter(key, items.map((i) => i.value!).filter(Boolean))}
      />
    </InlineField>
  );

  return (
    <PluginPage
      actions={
        <Stack gap={1} alignItems="center">
          <RangePicker value={state.range} onChange={(range) => update({ range })} />
          <Button size="sm" variant="secondary" icon="sync" onClick={() => setNow(Date.now())}>
            Refresh
          </Button>
        </Stack>
      }
    >
      <div className={styles.filters} data-testid="three-way-filters">
        {filterField('account_id', 'Account')}
        {filterField('region', 'Region')}
        {filterField('provider', 'Provider')}
        {filterField('severity', 'Severity')}
        {filterField('resource_type', 'Resource type')}
        <InlineField label="Show resolved">
          <InlineSwitch
            value={state.showResolved}
            onChange={(e) => update({ showResolved: e.currentTarget.checked })}
          />
        </InlineField>
      </div>
      {truncated && (
        <Alert severity="warning" title="Results truncated">
          More than {LINE_LIMIT} drift records in this range: narrow the filters or the time range.
        </Alert>
      )}
      <div className={styles.columns}>
        {CHANGE_TYPES.map((c) => (
          <Section
            key={c}
            title={TITLES[c]}
            testId={`column-${c}`}
            loading={logs.loading && !logs.value}
            error={logs.error}
            actions={
              <span className={styles.count} data-testid={`count-${c}`}>
                {logs.value ? columns[c].length : '…'}
              </span>
            }
          >
            <DriftTable rows={columns[c]} testId={`table-${c}`} />
          </Section>
        ))}
      </div>
    </PluginPage>
  );
}

const getStyles = (theme: GrafanaTheme2) => ({
  filters: css({ display: 'flex', flexWrap: 'wrap', gap: theme.spacing(1), marginBottom: theme.spacing(2) }),
  columns: css({ display: 'grid', gridTemplateColumns: 'repeat(3, minmax(0, 1fr))', gap: theme.spacing(2) }),
  count: css({ fontSize: theme.typography.h3.fontSize, fontWeight: theme.typography.fontWeightMedium }),
});
