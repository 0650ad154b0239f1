/** Label matchers and durations shared by the Loki and Prometheus test peers. */
export interface PeerMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

export type Labels = Record<string, string>;

const regexCache = new Map<string, RegExp>();
/** Anchored RE2-style regex (compiled once per pattern: the peers match many lines). */
export function anchored(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    re = new RegExp(`^(?:${pattern})$`);
    regexCache.set(pattern, re);
  }
  return re;
}

export function matches(labels: Labels, m: PeerMatcher): boolean {
  return matchesValue(labels[m.label] ?? '', m);
}

/** One label value against a matcher (absent labels are ''). */
export function matchesValue(v: string, m: PeerMatcher): boolean {
  switch (m.op) {
    case '=':
      return v === m.value;
    case '!=':
      return v !== m.value;
    case '=~':
      return anchored(m.value).test(v);
    case '!~':
      return !anchored(m.value).test(v);
  }
}

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** `5m`, `1h30m`, `90s` → milliseconds. Throws on anything else (so bad queries fail loudly). */
export function parseDuration(text: string): number {
  const re = /(\d+)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * UNITS[m[2]];
    consumed = re.lastIndex;
  }
  if (consumed !== text.length || text.length === 0) {
    throw new Error(`bad duration: ${text}`);
  }
  return total;
}

/** A tiny tokenizer over LogQL/PromQL text, enough for the query shapes the plugin generates. */
export class Cursor {
  pos = 0;
  constructor(readonly text: string) {}

  skip(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) {
      this.pos++;
    }
  }

  peek(s: string): boolean {
    this.skip();
    return this.text.startsWith(s, this.pos);
  }

  eat(s: string): boolean {
    if (this.peek(s)) {
      this.pos += s.length;
      return true;
    }
    return false;
  }

  expect(s: string): void {
    if (!this.eat(s)) {
      this.fail(`expected "${s}"`);
    }
  }

  ident(): string {
    this.skip();
    const m = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(this.text.slice(this.pos));
    if (!m) {
      this.fail('expected identifier');
    }
    this.pos += m![0].length;
    return m![0];
  }

  number(): number {
    this.skip();
    const m = /^\d+(\.\d+)?/.exec(this.text.slice(this.pos));
    if (!m) {
      this.fail('expected number');
    }
    this.pos += m![0].length;
    return Number(m![0]);
  }

  string(): string {
    this.skip();
    const m = /^"((?:[^"\\]|\\.)*)"/.exec(this.text.slice(this.pos));
    if (!m) {
      this.fail('expected string');
    }
    this.pos += m![0].length;
    return JSON.parse(m![0]) as string;
  }

  duration(): number {
    this.expect('[');
    this.skip();
    const end = this.text.indexOf(']', this.pos);
    if (end < 0) {
      this.fail('unclosed [');
    }
    const d = parseDuration(this.text.slice(this.pos, end).trim());
    this.pos = end + 1;
    return d;
  }

  matcher(): PeerMatcher {
    const label = this.ident();
    this.skip();
    const op = (['=~', '!~', '!=', '='] as const).find((o) => this.text.startsWith(o, this.pos));
    if (!op) {
      this.fail('expected matcher operator');
    }
    this.pos += op!.length;
    return { label, op: op!, value: this.string() };
  }

  matcherList(): PeerMatcher[] {
    this.expect('{');
    const list: PeerMatcher[] = [];
    while (!this.eat('}')) {
      list.push(this.matcher());
      this.eat(',');
    }
    return list;
  }

  labelList(): string[] {
    this.expect('(');
    const list: string[] = [];
    while (!this.eat(')')) {
      list.push(this.ident());
      this.eat(',');
    }
    return list;
  }

  done(): boolean {
    this.skip();
    return this.pos >= this.text.length;
  }

  fail(msg: string): never {
    throw new Error(`parse error at ${this.pos}: ${msg} in ${this.text}`);
  }
}
