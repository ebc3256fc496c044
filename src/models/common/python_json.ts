// `json.dumps(obj, indent=2, sort_keys=True)` as Python writes it, so a config.json we save is
// byte-identical to transformers' `to_json_file` (which appends "\n"). Differences from
// JSON.stringify that matter: keys sorted by code point (so "10" < "2"), non-ASCII escaped
// (ensure_ascii), and floats written with Python's repr ("0.0", "1e-05").

import { compareCodePoints } from '../../io/safetensors_format.js';

/** value: JSON-able data; floatKeys: object keys whose numbers are Python floats → Python's JSON text. */
export function pythonJsonDumps(value: unknown, floatKeys: ReadonlySet<string> = new Set()): string {
  return dump(value, '', false, floatKeys);
}

function dump(value: unknown, indent: string, isFloat: boolean, floatKeys: ReadonlySet<string>): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return isFloat || !Number.isInteger(value) ? pythonFloatRepr(value) : String(value);
  if (typeof value === 'string') return pythonString(value);
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    return `[\n${value.map((v) => inner + dump(v, inner, isFloat, floatKeys)).join(',\n')}\n${indent}]`;
  }
  const keys = Object.keys(value as object).sort(compareCodePoints);
  if (keys.length === 0) return '{}';
  const items = keys.map(
    (k) =>
      `${inner}${pythonString(k)}: ${dump((value as Record<string, unknown>)[k], inner, floatKeys.has(k), floatKeys)}`,
  );
  return `{\n${items.join(',\n')}\n${indent}}`;
}

/** x → Python's repr(float(x)): shortest round-trip digits, scientific below 1e-4 and from 1e16. */
export function pythonFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, expText] = x.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  let text: string;
  if (exp >= 0) {
    const whole = digits.padEnd(exp + 1, '0');
    const frac = whole.slice(exp + 1);
    text = `${whole.slice(0, exp + 1)}.${frac === '' ? '0' : frac}`;
  } else {
    text = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return negative ? `-${text}` : text;
}

// ensure_ascii: everything outside printable ASCII becomes \uXXXX (UTF-16 units, lowercase hex).
function pythonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}
