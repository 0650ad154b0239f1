/**
 * `tfdrift doctor`: checks a running setup from the operator's side, over the same endpoints
 * an operator would use (/healthz, /readyz, /metrics, Loki's push API), and says what to fix.
 */

export type Status = 'ok' | 'warn' | 'fail';

export interface Finding {
  check: 'exporter' | 'states' | 'inputs' | 'events' | 'loki';
  status: Status;
  what: string;
  fix?: string;
}

export interface DoctorTarget {
  /** The exporter's base URL (http://127.0.0.1:9464). */
  url: string;
  token: string;
  /** Loki's base URL; null = only what the exporter reports about its Loki output. */
  loki: { url: string; headers: Record<string, string> } | null;
  timeoutMs?: number;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition: `name{a="b",…} value` lines, comments skipped. */
export function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2].replace(/\\(.)/g, '$1');
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

const sum = (samples: Sample[], name: string, match: Record<string, string> = {}): number =>
  samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);

const byLabel = (samples: Sample[], name: string, label: string): Map<string, number> => {
  const out = new Map<string, number>();
  for (const s of samples.filter((x) => x.name === name)) out.set(s.labels[label], (out.get(s.labels[label]) ?? 0) + s.value);
  return out;
};

/** What to do about events counted under a reason (docs/troubleshooting.md has them all). */
const REASON_FIX: Record<string, string> = {
  no_state_for_account: 'add a states entry for each account that sends events (account_id / project_id / subscription_id), or fix the state that did not load',
  not_an_alert: 'Falco must send JSON with output_fields: json_output and json_include_output_fields_property true',
  invalid_json: 'something other than Falco posts to /falco, or Falco json_output is off',
  missing_output_fields: 'load the rules from rules/ (tfdrift rules generate): their outputs name every field the exporter reads',
  unknown_source: 'only TFDrift rules (sources aws_cloudtrail, gcp_auditlog) should post here; filter other alerts out',
  journal_full: 'processing is stuck or too slow: see the exporter log; the journal is bounded by inputs.journal.max_bytes',
  journal_error: 'the journal cannot be written: free space and permissions of storage.dir',
  resource_id_not_found: 'a mapping gap: open an issue with the record (tfdrift replay … --output jsonl)',
};

async function get(url: string, token: string, timeoutMs: number, init: RequestInit = {}): Promise<Response> {
  const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(init.headers as Record<string, string>) };
  return fetch(url, { ...init, headers, signal: AbortSignal.timeout(timeoutMs) });
}

function networkReason(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return e.name === 'TimeoutError' ? 'no answer (timed out)' : (e.cause?.code ?? e.cause?.message ?? e.message);
}

async function checkExporter(t: DoctorTarget, timeoutMs: number): Promise<Finding> {
  let res: Response;
  try {
    res = await get(`${t.url}/healthz`, t.token, timeoutMs);
  } catch (err) {
    return { check: 'exporter', status: 'fail', what: `not reachable at ${t.url} (${networkReason(err)})`, fix: 'start `tfdrift run`, or point --url at its server.listen address' };
  }
  if (res.status === 401)
    return {
      check: 'exporter', status: 'fail',
      what: t.token ? `${t.url} refuses the token` : `${t.url} requires a token`,
      fix: 'pass --token or TFDRIFT_SERVER_TOKEN: the exporter\'s server.token. Falco\'s http_output.url (?token=…) and Falcosidekick\'s Authorization header must carry the same value',
    };
  if (!res.ok) return { check: 'exporter', status: 'fail', what: `GET /healthz answered ${res.status}` };
  const body = (await res.json().catch(() => ({}))) as { version?: string };
  return { check: 'exporter', status: 'ok', what: `reachable at ${t.url} with the token${body.version ? ` (tfdrift ${body.version})` : ''}` };
}

interface ReadyState {
  name: string;
  location?: string;
  health?: string;
  ok?: boolean;
  stale?: boolean;
  loading?: boolean;
  error?: string | null;
  resources?: number;
  last_success?: string | null;
}

/** A state's health from /readyz, whichever version of its body answered. */
function healthOf(s: ReadyState): string {
  if (s.health) return s.health;
  if (s.loading) return 'loading';
  if (s.ok && !s.stale) return 'ok';
  return s.last_success ? 'stale' : 'never_loaded';
}

async function checkStates(t: DoctorTarget, timeoutMs: number): Promise<Finding[]> {
  const res = await get(`${t.url}/readyz`, t.token, timeoutMs);
  const body = (await res.json().catch(() => ({}))) as { status?: string; reason?: string; states?: ReadyState[] };
  const out: Finding[] = [];
  const states = body.states ?? [];
  if (states.length === 0)
    out.push({ check: 'states', status: 'fail', what: 'no Terraform states configured: every event is counted as no_state_for_account, no drift is found', fix: 'add states entries to the config (docs/state.md)' });
  for (const s of states) {
    const where = s.location && !(s.error ?? '').includes(s.location) ? ` (${s.location})` : '';
    const health = healthOf(s);
    if (health === 'ok') out.push({ check: 'states', status: 'ok', what: `${s.name}: loaded, ${s.resources ?? 0} resources${where}` });
    else if (health === 'loading') out.push({ check: 'states', status: 'warn', what: `${s.name}: still loading${where}`, fix: 'wait; alerts are journaled meanwhile and produce drift once it loads' });
    else if (health === 'stale')
      out.push({ check: 'states', status: 'warn', what: `${s.name}: stale, serving its last good load (${s.last_success ?? 'unknown'})${s.error ? `: ${s.error}` : ''}${where}`, fix: 'check the backend credentials and permissions (docs/state.md), then POST /api/v1/state/reload' });
    else
      out.push({ check: 'states', status: 'fail', what: `${s.name}: never loaded${s.error ? `: ${s.error}` : ''}${where}`, fix: `events of its account produce no drift until it loads: check the backend credentials and permissions (docs/state.md), then POST /api/v1/state/reload?name=${s.name}` });
  }
  if (res.status !== 200)
    out.push({
      check: 'states', status: 'fail',
      what: `/readyz answers ${res.status}${body.reason ? ` (${body.reason})` : ''}: a readiness probe takes this exporter out of its Service, and alerts posted to the Service are lost`,
      fix: body.reason ? 'see the exporter log' : 'get the states above to load (this exporter version makes readiness wait for every state)',
    });
  return out;
}

function checkInputs(samples: Sample[]): Finding[] {
  const out: Finding[] = [];
  const rejected = byLabel(samples, 'tfdrift_http_requests_rejected_total', 'reason');
  const credential = (rejected.get('missing_credential') ?? 0) + (rejected.get('invalid_credential') ?? 0);
  if (credential > 0)
    out.push({
      check: 'inputs', status: 'fail',
      what: `${credential} request(s) refused for a missing or wrong token (Falco logs nothing about them; those alerts are lost)`,
      fix: 'set the exporter\'s token in Falco\'s http_output.url (?token=…) or Falcosidekick\'s webhook Authorization header',
    });
  const connected = byLabel(samples, 'tfdrift_input_connected', 'input');
  const received = byLabel(samples, 'tfdrift_events_received_total', 'input');
  for (const [input, up] of connected) {
    const n = received.get(input) ?? 0;
    if (up === 0) out.push({ check: 'inputs', status: 'fail', what: `${input}: not connected`, fix: 'see the exporter log for the connection error' });
    else if (n === 0)
      out.push({
        check: 'inputs', status: 'warn',
        what: `${input}: no events received since the exporter started`,
        fix: input === 'falco_http'
          ? 'make a change in the cloud console and wait (CloudTrail delivers after ~5 minutes); if nothing arrives, check Falco (docs/troubleshooting.md §1)'
          : 'make a change in the cloud console and wait a few minutes; then docs/troubleshooting.md §1',
      });
    else {
      const sources = samples.filter((s) => s.name === 'tfdrift_events_received_total' && s.labels.input === input && s.value > 0).map((s) => `${s.labels.source} ${s.value}`);
      out.push({ check: 'inputs', status: 'ok', what: `${input}: ${n} event(s) received (${sources.join(', ')})` });
    }
  }
  return out;
}

function checkEvents(samples: Sample[]): Finding[] {
  const out: Finding[] = [];
  const suppressed = byLabel(samples, 'tfdrift_events_suppressed_total', 'reason');
  const noState = suppressed.get('no_state_for_account') ?? 0;
  if (noState > 0) out.push({ check: 'events', status: 'fail', what: `${noState} event(s) of accounts with no loaded state produced no drift (no_state_for_account)`, fix: REASON_FIX.no_state_for_account });
  const rest = [...suppressed].filter(([r, n]) => r !== 'no_state_for_account' && n > 0).map(([r, n]) => `${r} ${n}`);
  if (rest.length > 0) out.push({ check: 'events', status: 'ok', what: `suppressed on purpose: ${rest.join(', ')}` });
  for (const [reason, n] of byLabel(samples, 'tfdrift_events_failed_total', 'reason'))
    if (n > 0) out.push({ check: 'events', status: 'warn', what: `${n} event(s) failed: ${reason}`, fix: REASON_FIX[reason] ?? `docs/troubleshooting.md, reason codes: ${reason}` });
  const unmapped = sum(samples, 'tfdrift_events_unmapped_total');
  if (unmapped > 0) out.push({ check: 'events', status: 'ok', what: `${unmapped} write event(s) with no mapping row (tfdrift coverage lists what is mapped)` });
  out.push({ check: 'events', status: 'ok', what: `${sum(samples, 'tfdrift_drifts_total')} drift record(s) emitted` });
  return out;
}

async function checkLoki(t: DoctorTarget, samples: Sample[], timeoutMs: number): Promise<Finding[]> {
  const out: Finding[] = [];
  const sent = samples.filter((s) => s.name === 'tfdrift_output_sent_total' && s.labels.output === 'loki');
  const hasOutput = samples.some((s) => s.name === 'tfdrift_output_queue_length' && s.labels.output === 'loki');
  if (!hasOutput && t.loki === null) return [{ check: 'loki', status: 'warn', what: 'the exporter has no Loki output (outputs.loki.enabled is false): drift is not in Grafana', fix: 'enable outputs.loki and set outputs.loki.url' }];
  const bad = sent.filter((s) => ['rejected', 'error', 'dropped'].includes(s.labels.status) && s.value > 0);
  for (const s of bad)
    out.push({ check: 'loki', status: 'fail', what: `${s.value} record(s) ${s.labels.status} by the Loki output`, fix: s.labels.status === 'rejected' ? 'the exporter log carries Loki\'s reason (clock skew, too many labels)' : 'Loki was unreachable for long: check outputs.loki.url and Loki' });
  const queued = sum(samples, 'tfdrift_output_queue_length', { output: 'loki' });
  if (queued > 0) out.push({ check: 'loki', status: 'warn', what: `${queued} record(s) waiting for Loki (spooled on disk)`, fix: 'check that Loki is up at outputs.loki.url' });
  if (hasOutput && bad.length === 0) out.push({ check: 'loki', status: 'ok', what: `exporter's Loki output: ${sum(samples, 'tfdrift_output_sent_total', { output: 'loki', status: 'ok' })} record(s) delivered` });
  if (t.loki) {
    // An empty push: Loki answers 204 when it accepts pushes from us (auth, tenant), and stores nothing.
    try {
      const res = await fetch(`${t.loki.url.replace(/\/$/, '')}/loki/api/v1/push`, {
        method: 'POST', body: '{"streams":[]}', headers: { 'content-type': 'application/json', ...t.loki.headers }, signal: AbortSignal.timeout(timeoutMs),
      });
      if (res.ok) out.push({ check: 'loki', status: 'ok', what: `Loki at ${t.loki.url} accepts pushes` });
      else out.push({ check: 'loki', status: 'fail', what: `Loki at ${t.loki.url} answers pushes with ${res.status}`, fix: res.status === 401 || res.status === 403 ? 'outputs.loki.tenant / basic_auth / bearer_token_env' : 'check Loki' });
    } catch (err) {
      out.push({ check: 'loki', status: 'fail', what: `Loki not reachable at ${t.loki.url} (${networkReason(err)})`, fix: 'outputs.loki.url must be reachable from the exporter (records wait in its spool meanwhile)' });
    }
  }
  return out;
}

/** Runs every check; later checks are skipped when the exporter cannot be reached. */
export async function runDoctor(t: DoctorTarget): Promise<Finding[]> {
  const timeoutMs = t.timeoutMs ?? 5000;
  const exporter = await checkExporter(t, timeoutMs);
  if (exporter.status !== 'ok') return [exporter, ...(t.loki ? await checkLoki(t, [], timeoutMs) : [])];
  const metricsRes = await get(`${t.url}/metrics`, t.token, timeoutMs);
  const samples = parseMetrics(await metricsRes.text());
  return [exporter, ...(await checkStates(t, timeoutMs)), ...checkInputs(samples), ...checkEvents(samples), ...(await checkLoki(t, samples, timeoutMs))];
}

export function renderFindings(findings: Finding[]): string {
  const mark: Record<Status, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };
  const lines = findings.map((f) => `${mark[f.status]} ${f.check.padEnd(8)} ${f.what}${f.fix && f.status !== 'ok' ? `\n              fix: ${f.fix}` : ''}`);
  const fails = findings.filter((f) => f.status === 'fail').length;
  const warns = findings.filter((f) => f.status === 'warn').length;
  lines.push(fails + warns === 0 ? 'all checks passed' : `${fails} problem(s), ${warns} warning(s)`);
  return `${lines.join('\n')}\n`;
}
