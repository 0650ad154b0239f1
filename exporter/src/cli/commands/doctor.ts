import type { Command } from 'commander';
import { EXIT } from '../exit.js';

interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
}
const processIo: Io = { stdout: (t) => void process.stdout.write(t), stderr: (t) => void process.stderr.write(t), env: process.env };

interface DoctorOptions {
  url?: string;
  token?: string;
  config?: string;
  lokiUrl?: string;
  format: 'text' | 'json';
  timeout: string;
}

/** The exporter's address as a client reaches it: a wildcard listen address means this host. */
function urlFromListen(listen: string, tls: boolean): string {
  const i = listen.lastIndexOf(':');
  const host = listen.slice(0, i).replace(/^\[|\]$/g, '');
  const reach = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `${tls ? 'https' : 'http'}://${reach}:${listen.slice(i + 1)}`;
}

/**
 * `tfdrift doctor`: checks a running setup from the operator's side and says what to fix. Exit 0
 * when no check fails, 1 when one does (warnings do not fail).
 */
export function registerDoctorCommand(program: Command, io: Io = processIo): void {
  program
    .command('doctor')
    .description('check a running setup from the operator\'s side — exporter reachable with the token, states loaded, alerts received per input, Loki accepting, suppression and failure counts — and say what to fix (exit 1 when a check fails)')
    .option('--url <url>', 'the exporter (default: from --config server.listen, else http://127.0.0.1:9464)')
    .option('--token <token>', 'the exporter\'s server.token (default: TFDRIFT_SERVER_TOKEN, else from --config)')
    .option('-c, --config <file>', 'the exporter\'s configuration file: its address, token and Loki output')
    .option('--loki-url <url>', 'also check that Loki at this URL accepts pushes (default: outputs.loki.url from --config when enabled)')
    .option('--format <format>', 'text or json', 'text')
    .option('--timeout <seconds>', 'per-request timeout', '5')
    .action(async (opts: DoctorOptions) => {
      const { runDoctor, renderFindings } = await import('../../doctor/checks.js');
      const config = opts.config ? (await import('../../config/load.js')).loadConfigFile(opts.config, io.env) : null;
      const url = (opts.url ?? (config ? urlFromListen(config.server.listen, config.server.tls.enabled) : 'http://127.0.0.1:9464')).replace(/\/$/, '');
      const token = opts.token ?? io.env.TFDRIFT_SERVER_TOKEN ?? config?.server.token ?? '';
      const lokiCfg = config?.outputs.loki;
      const lokiUrl = opts.lokiUrl ?? (lokiCfg?.enabled ? lokiCfg.url : null);
      const headers: Record<string, string> = {};
      if (lokiCfg?.tenant) headers['x-scope-orgid'] = lokiCfg.tenant;
      if (lokiCfg?.basic_auth.username) headers.authorization = `Basic ${Buffer.from(`${lokiCfg.basic_auth.username}:${io.env[lokiCfg.basic_auth.password_env] ?? ''}`).toString('base64')}`;
      if (lokiCfg?.bearer_token_env) headers.authorization = `Bearer ${io.env[lokiCfg.bearer_token_env] ?? ''}`;
      const findings = await runDoctor({ url, token, loki: lokiUrl ? { url: lokiUrl, headers } : null, timeoutMs: Number(opts.timeout) * 1000 });
      io.stdout(opts.format === 'json' ? `${JSON.stringify({ findings }, null, 2)}\n` : renderFindings(findings));
      process.exitCode = findings.some((f) => f.status === 'fail') ? EXIT.error : EXIT.ok;
    });
}
