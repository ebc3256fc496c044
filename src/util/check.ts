// Argument checks for the public entry points: a wrong argument is an error naming it and what was expected,
// never a TypeError from deep inside ("Cannot read properties of null").

/** A value as an error message shows it: null, undefined, "text", 3, an array of n, an object with its keys. */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of ${v.length}`;
  const name = (v as object).constructor?.name;
  if (name && name !== 'Object') return `a ${name}`;
  const keys = Object.keys(v as object);
  return keys.length === 0
    ? 'an empty object {}'
    : `an object with ${keys.slice(0, 4).join(', ')}${keys.length > 4 ? ', …' : ''}`;
}

/** `value` must be a plain options object or absent: → the object ({} when absent). */
export function optionsObject<T extends object>(value: T | undefined | null, where: string): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(`${where}: options must be an object, got ${describeValue(value)}`);
  }
  return value;
}
