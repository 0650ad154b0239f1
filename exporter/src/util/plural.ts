/** `1 resource`, `2 resources`, `0 resources` (and irregular forms: plural(n, 'entry', 'entries')). */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
