/** The presets as a Markdown table, for the README (a test keeps the README in step). */
import { PRESET_NAMES, PRESETS, RULE_KEYS } from './presets.js';

export function presetsMarkdown(): string {
  const header = `| rule | ${PRESET_NAMES.map((p) => `${p}: fires when`).join(' | ')} | severity |`;
  const rule = `|---|${PRESET_NAMES.map(() => '---|').join('')}---|`;
  const rows = RULE_KEYS.map((key) => {
    const cells = PRESET_NAMES.map((p) => {
      const t = PRESETS[p][key];
      const op = key === 'exporter_down' ? '<' : '>';
      return `${op} ${t.threshold} in ${t.window}${t.for !== '0s' ? `, for ${t.for}` : ''}`;
    });
    return `| \`${key}\` | ${cells.join(' | ')} | ${PRESETS.small[key].severity} |`;
  });
  return [header, rule, ...rows].join('\n');
}
