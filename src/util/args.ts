// Command-line flag parsing shared by the CLIs (src/cli/) and their library parts (src/train/cli/, src/demo/):
// `--name value`, `--name=value`, HF's snake_case spelling (`--learning_rate`) as an alias of the kebab-case one,
// booleans as `--flag`, `--flag=false`, `--flag false` or `--no-flag`. Every mistake is a UsageError naming the
// flag (the CLIs exit 2 on it). Pure: no Node built-ins.

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type FlagType = 'string' | 'int' | 'float' | 'bool' | 'choice' | 'path-or-bool';

export interface FlagSpec {
  /** kebab-case, without the dashes. */
  name: string;
  type: FlagType;
  group: string;
  help: string;
  choices?: readonly string[];
  /** Other accepted names (kebab-case, without dashes); snake_case spellings are accepted automatically. */
  aliases?: readonly string[];
  /** The default shown by --help. */
  shownDefault?: string;
  /** Placeholder shown by --help (default: by type). */
  metavar?: string;
}

export type FlagValue = string | number | boolean;

export interface ParsedFlags {
  /** By canonical flag name; only the flags given. */
  values: Map<string, FlagValue>;
  positionals: string[];
}

const BOOL_WORDS: Record<string, boolean> = { true: true, false: false, yes: true, no: false, '1': true, '0': false };

export function parseFlags(argv: readonly string[], specs: readonly FlagSpec[]): ParsedFlags {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    for (const n of [s.name, ...(s.aliases ?? [])]) {
      byName.set(n, s);
      byName.set(n.replace(/-/g, '_'), s);
    }
  }
  const values = new Map<string, FlagValue>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      if (arg.startsWith('-') && arg.length > 1 && !/^-\d/.test(arg)) {
        if (arg === '-h') {
          values.set('help', true);
          continue;
        }
        throw new UsageError(`unknown option ${arg} (flags are written --name)`);
      }
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    let name = arg.slice(2, eq < 0 ? undefined : eq);
    let inline = eq < 0 ? undefined : arg.slice(eq + 1);
    let spec = byName.get(name);
    if (!spec && name.startsWith('no-') && byName.get(name.slice(3))?.type === 'bool') {
      spec = byName.get(name.slice(3))!;
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      name = spec.name;
      inline = 'false';
    }
    if (!spec) throw new UsageError(`unknown option --${name}${suggest(name, specs)}`);
    let raw: string | undefined = inline;
    if (raw === undefined) {
      const next = argv[i + 1];
      if (spec.type === 'bool' || spec.type === 'path-or-bool') {
        // A following true/false belongs to the flag; anything else is the next argument.
        if (next !== undefined && next.toLowerCase() in BOOL_WORDS) raw = argv[++i];
        else if (spec.type === 'bool') raw = 'true';
      }
      if (raw === undefined) {
        if (next === undefined || (next.startsWith('--') && next.length > 2))
          throw new UsageError(`--${spec.name} needs a value`);
        raw = argv[++i]!;
      }
    }
    values.set(spec.name, convert(spec, raw));
  }
  return { values, positionals };
}

function convert(spec: FlagSpec, raw: string): FlagValue {
  const flag = `--${spec.name}`;
  switch (spec.type) {
    case 'string':
      if (raw === '') throw new UsageError(`${flag} needs a non-empty value`);
      return raw;
    case 'int': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isInteger(v)) throw new UsageError(`${flag}: expected an integer, got "${raw}"`);
      return v;
    }
    case 'float': {
      const v = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(v)) throw new UsageError(`${flag}: expected a number, got "${raw}"`);
      return v;
    }
    case 'bool': {
      const v = BOOL_WORDS[raw.toLowerCase()];
      if (v === undefined) throw new UsageError(`${flag}: expected true or false, got "${raw}"`);
      return v;
    }
    case 'choice':
      if (!spec.choices!.includes(raw))
        throw new UsageError(`${flag}: expected one of ${spec.choices!.join(', ')}; got "${raw}"`);
      return raw;
    case 'path-or-bool': {
      const v = BOOL_WORDS[raw.toLowerCase()];
      if (raw === '') throw new UsageError(`${flag} needs a value`);
      return v ?? raw;
    }
  }
}

/** " (did you mean --x?)" for a near miss, else "". */
function suggest(name: string, specs: readonly FlagSpec[]): string {
  const norm = name.replace(/_/g, '-');
  let best: string | undefined;
  let bestD = 3;
  for (const s of specs) {
    const d = editDistance(norm, s.name);
    if (d < bestD) [best, bestD] = [s.name, d];
  }
  return best ? ` (did you mean --${best}?)` : '';
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** --help text: flags grouped in the order groups first appear, each with its default. */
export function formatHelp(header: string, specs: readonly FlagSpec[], footer = ''): string {
  const groups = new Map<string, FlagSpec[]>();
  for (const s of specs) groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
  const lines = [header.trimEnd(), ''];
  for (const [group, list] of groups) {
    lines.push(`${group}:`);
    for (const s of list) {
      const meta = s.type === 'bool' ? '' : ` ${metavar(s)}`;
      const left = `  --${s.name}${meta}`;
      const def = s.shownDefault === undefined ? '' : ` (default: ${s.shownDefault})`;
      lines.push(left.length < 40 ? `${left.padEnd(40)}${s.help}${def}` : `${left}\n${''.padEnd(40)}${s.help}${def}`);
    }
    lines.push('');
  }
  if (footer) lines.push(footer.trimEnd());
  return `${lines.join('\n').trimEnd()}\n`;
}

/** What a flag's value is called in the help: its metavar, the choices, PATH|true, or its type. */
function metavar(s: FlagSpec): string {
  if (s.metavar !== undefined) return s.metavar;
  if (s.type === 'choice') return `{${s.choices!.join(',')}}`;
  return s.type === 'path-or-bool' ? 'PATH|true' : s.type.toUpperCase();
}
