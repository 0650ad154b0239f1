import { Command, CommanderError } from 'commander';
import { VERSION } from '../version.js';
import { ConfigError, InputError, errorMessage } from '../util/errors.js';
import { CliError, EXIT } from './exit.js';
import { registerRunCommand } from './commands/run.js';
import { registerDemoCommand } from './commands/demo.js';
import { registerReplayCommand } from './commands/replay.js';
import { registerConfigCommand } from './commands/config.js';
import { registerStateCommand } from './commands/state.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { extraCommands } from './extra.js';

export function buildProgram(): Command {
  const program = new Command('tfdrift')
    .description('Terraform drift from cloud audit events (Falco, CloudTrail, GCP, Azure) to Loki and Prometheus')
    .version(VERSION)
    .configureOutput({ writeOut: (s) => process.stderr.write(s), writeErr: (s) => process.stderr.write(s) })
    .exitOverride();
  registerRunCommand(program);
  registerDemoCommand(program);
  registerReplayCommand(program);
  registerConfigCommand(program);
  registerStateCommand(program);
  registerDoctorCommand(program); // its checks load only when it runs
  for (const register of extraCommands) register(program);
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      process.exitCode = err.exitCode === 0 ? 0 : EXIT.badInput;
      return;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`tfdrift: ${err.message}\n`);
      process.exitCode = EXIT.badInput;
      return;
    }
    if (err instanceof CliError || err instanceof InputError) {
      process.stderr.write(`tfdrift: ${err.message}\n`);
      process.exitCode = err instanceof CliError ? err.code : EXIT.badInput;
      return;
    }
    process.stderr.write(`tfdrift: ${errorMessage(err)}\n`);
    process.exitCode = EXIT.error;
  }
}
