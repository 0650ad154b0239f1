/**
 * The `tfdrift` CLI. Start-up stays light: a command's module (and with it the SDKs, gRPC, winston,
 * mapping tables it needs) is imported only when that command runs; every other command is a
 * one-line entry (name + summary) that `tfdrift --help` lists.
 */
import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { EXIT, formatError, reportError } from './exit.js';
import { processIo, type CliIo } from './io.js';

export { processIo, type CliIo };

type Register = (program: Command, io: CliIo) => void;

interface CommandEntry {
  name: string;
  /** Shown by `tfdrift --help`; the command's own module holds its full description and options. */
  summary: string;
  load: () => Promise<Register>;
}

/** One line per command; a new command is one more line here. */
export const COMMANDS: CommandEntry[] = [
  { name: 'run', summary: 'run the daemon: inputs, state sources, detection, outputs', load: async () => (await import('./commands/run.js')).registerRunCommand },
  { name: 'demo', summary: 'run the daemon on bundled states and real CloudTrail records (no cloud, Falco or Loki needed)', load: async () => (await import('./commands/demo.js')).registerDemoCommand },
  { name: 'replay', summary: 'evaluate audit records from files against Terraform states, offline', load: async () => (await import('./commands/replay.js')).registerReplayCommand },
  { name: 'config', summary: 'configuration tools', load: async () => (await import('./commands/config.js')).registerConfigCommand },
  { name: 'state', summary: 'Terraform state tools', load: async () => (await import('./commands/state.js')).registerStateCommand },
  { name: 'rules', summary: 'Falco rules generated from the mapping tables', load: async () => (await import('../rules/command.js')).registerRulesCommand },
  { name: 'coverage', summary: 'what the mapping tables cover: mapped write events and Terraform resource types, per provider and service', load: async () => (await import('../coverage/command.js')).registerCoverageCommand },
  { name: 'doctor', summary: 'check a running setup from the operator\'s side and say what to fix', load: async () => (await import('./commands/doctor.js')).registerDoctorCommand },
  { name: 'alerts', summary: "TFDrift's Grafana-managed alert rules, through Grafana's provisioning HTTP API", load: async () => (await import('./commands/alerts.js')).registerAlertsCommand },
];

const EXIT_CODES_HELP = `
Exit codes (all commands):
  0  everything was read (drift or not, without --fail-on-drift)
  2  input that could not be read: missing or unreadable file, invalid JSON or YAML, invalid configuration, unsupported state, bad option
  3  drift found and --fail-on-drift
  4  unmapped events and --strict (replay)
  1  anything else (a bug: please report it)
Errors are printed once on stderr as: tfdrift: <where>: <what> (<hint>)`;


/** The command the arguments name (`tfdrift help replay` names replay), if any. */
function namedCommand(args: string[]): string | undefined {
  const words = args.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/** A command-line parse error, remembered with the command it happened in. */
class ParseError extends Error {
  constructor(
    readonly commander: CommanderError,
    readonly command: Command,
  ) {
    super(commander.message);
  }
}

function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

const helpHint = (cmd: Command): string => `see ${['tfdrift', commandPath(cmd)].filter(Boolean).join(' ')} --help`;

/** Commander's `error: unknown option '--x'\n(Did you mean --y?)` in the one error style. */
export function formatParseError(err: CommanderError, cmd: Command): string {
  const [first, ...rest] = err.message.replace(/^error: /, '').split('\n');
  const where = commandPath(cmd) || undefined;
  // Commander adds `(Did you mean --json?)` on a second line.
  const suggestion = rest.join(' ').trim().replace(/^\((.*)\)$/, '$1').replace(/^Did/, 'did');
  const help = helpHint(cmd);
  return formatError({ where, what: first.replace(/\.$/, ''), hint: suggestion ? `${suggestion} ${help}` : help });
}

function configure(cmd: Command, io: CliIo): void {
  cmd
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => undefined })
    .exitOverride((err) => {
      throw new ParseError(err, cmd);
    });
  for (const sub of cmd.commands) configure(sub, io);
}

function newProgram(): Command {
  return new Command('tfdrift')
    .description('Terraform drift from cloud audit events (Falco, CloudTrail, GCP, Azure) to Loki and Prometheus')
    .version(VERSION)
    .addHelpText('after', EXIT_CODES_HELP);
}

/**
 * The program for these arguments: the named command fully defined, the others as name + summary
 * (enough for `--help` and for "unknown command" suggestions).
 */
export async function loadProgram(args: string[], io: CliIo = processIo): Promise<Command> {
  const program = newProgram();
  const named = namedCommand(args);
  for (const entry of COMMANDS) {
    if (entry.name === named) (await entry.load())(program, io);
    else program.command(entry.name).description(entry.summary);
  }
  configure(program, io);
  return program;
}

/** Every command fully defined (docs and tests walk it). */
export async function loadFullProgram(io: CliIo = processIo): Promise<Command> {
  const program = newProgram();
  for (const entry of COMMANDS) (await entry.load())(program, io);
  configure(program, io);
  return program;
}

/**
 * Runs the CLI in this process and returns the exit code (what a command set in
 * `process.exitCode` included; the caller's own `process.exitCode` is left as it was).
 */
export async function runCli(args: string[], io: CliIo = processIo): Promise<number> {
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    const program = await loadProgram(args, io);
    await program.parseAsync(args, { from: 'user' });
    return Number(process.exitCode ?? EXIT.ok);
  } catch (err) {
    if (err instanceof ParseError) {
      if (err.commander.exitCode === 0) return EXIT.ok; // --help, --version
      if (err.commander.code === 'commander.help') {
        // A command group without its subcommand: commander printed the group's help.
        io.stderr(`${formatError({ where: commandPath(err.command) || undefined, what: 'a command is required', hint: helpHint(err.command) })}\n`);
        return EXIT.badInput;
      }
      io.stderr(`${formatParseError(err.commander, err.command)}\n`);
      return EXIT.badInput;
    }
    return reportError(err, io.stderr);
  } finally {
    process.exitCode = before;
  }
}

export async function main(argv: string[]): Promise<void> {
  process.exitCode = await runCli(argv.slice(2));
}
