import type { Command } from 'commander';
import { registerRulesCommand } from '../rules/command.js';
import { registerCoverageCommand } from '../coverage/command.js';
import { registerAlertsCommand } from './commands/alerts.js';

/**
 * Commands contributed by other rooms (rules, coverage, alerts). Each is one import and one
 * list entry, so parallel work never edits main.ts.
 */
export const extraCommands: ((program: Command) => void)[] = [registerRulesCommand, registerCoverageCommand, registerAlertsCommand];
