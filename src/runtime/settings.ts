// Settings: the device profile's kernel choices (profile.ts) with overrides on top, the one place ops read them.
//   withSettings({ attentionKernel: 'fused' }, fn)  — for the duration of fn (sync or async), then restored;
//   configure({ ... })                              — for the rest of the process (a CLI flag, an app's choice);
//   settingsFromEnv(process.env)                    — WEBTUNE_<SETTING> variables (the benches apply them).
// Scopes are process-wide while they last (not per async context): overlapping async scopes see each other.
import { runtime } from './device.js';
import { defaultSettings, type Settings } from './profile.js';
import type { Runtime } from './runtime.js';
import { withRestore } from '../util/scoped.js';

export type { AttentionKernel, FlashKernel, OperandReads, Settings } from './profile.js';

type Kind =
  | { type: 'int'; min: number }
  | { type: 'number'; min: number }
  | { type: 'choice'; choices: readonly string[] }
  | { type: 'id' }
  | { type: 'ids' }
  | { type: 'bool' };

const KINDS: { readonly [K in keyof Settings]: Kind } = {
  layerNormHeldCap: { type: 'int', min: 1 },
  layerNormRows: { type: 'int', min: 1 },
  softmaxRows: { type: 'int', min: 1 },
  attentionKernel: { type: 'choice', choices: ['auto', 'fused', 'unfused'] },
  attentionChunkBytes: { type: 'int', min: 4 },
  attentionChunkedMax: { type: 'int', min: 0 },
  flashKernel: { type: 'choice', choices: ['lanes', 'tiled'] },
  flashWorkgroup: { type: 'int', min: 1 },
  flashRows: { type: 'int', min: 1 },
  matmulOperandReads: { type: 'choice', choices: ['texture', 'buffer'] },
  matmulKernel: { type: 'id' },
  matmulPreferred: { type: 'ids' },
  matmulDefaultRule: { type: 'choice', choices: ['cost', 'span'] },
  matmulMatrixUnits: { type: 'bool' },
  autotuneRepeats: { type: 'int', min: 1 },
  autotuneMinMs: { type: 'number', min: 0 },
};

/** Persistent overrides (configure), then the scopes' layers, innermost last. */
const base: Partial<Settings> = {};
const layers: Partial<Settings>[] = [];
let resolved: { rt: Runtime; version: number; settings: Readonly<Settings> } | undefined;
let version = 0;

/** The settings now in force on the current runtime: its profile's defaults under every override. */
export function settings(): Readonly<Settings> {
  const rt = runtime();
  if (resolved?.rt === rt && resolved.version === version) return resolved.settings;
  const s = Object.freeze(
    Object.assign(defaultSettings(rt.profile, rt.limits.maxStorageBufferBindingSize), base, ...layers),
  );
  resolved = { rt, version, settings: s };
  return s;
}

/**
 * Runs fn with these settings overridden, restoring them afterwards (when fn's promise settles, for an async fn).
 * Values are checked first: an unknown name or a bad value is an error naming it.
 */
export function withSettings<T>(overrides: Partial<Settings>, fn: () => T): T {
  const layer = checked(overrides, 'withSettings');
  layers.push(layer);
  version++;
  const restore = (): void => {
    layers.splice(layers.lastIndexOf(layer), 1);
    version++;
  };
  return withRestore(fn, restore);
}

/** Overrides settings for the rest of the process; a value of undefined returns that setting to the profile's. */
export function configure(overrides: Partial<Settings>): void {
  for (const [k, v] of Object.entries(overrides)) if (v === undefined) delete base[k as keyof Settings];
  Object.assign(base, checked(overrides, 'configure'));
  version++;
}

/** The environment variable of a setting: WEBTUNE_ and its name in upper snake case (WEBTUNE_ATTENTION_KERNEL). */
export const envName = (key: string): string => `WEBTUNE_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/**
 * The settings named by WEBTUNE_<SETTING> variables of `env` (others ignored): numbers, choices, ids, and comma
 * lists for matmulPreferred; 'auto' (or an empty value) leaves a setting at its default. A bad value is an error
 * naming the variable and what it takes.
 */
export function settingsFromEnv(env: Readonly<Record<string, string | undefined>>): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(KINDS) as (keyof Settings)[]) {
    const text = env[envName(key)]?.trim();
    if (!text || (text === 'auto' && key !== 'attentionKernel')) continue;
    const kind = KINDS[key];
    out[key] =
      kind.type === 'int' || kind.type === 'number'
        ? Number(text)
        : kind.type === 'ids'
          ? text.split(',').map((s) => s.trim())
          : kind.type === 'bool'
            ? (({ true: true, '1': true, false: false, '0': false } as Record<string, boolean>)[text] ?? text)
            : text;
    const problem = invalid(kind, out[key]);
    if (problem) throw new Error(`${envName(key)}=${text}: expected ${problem}`);
  }
  return out as Partial<Settings>;
}

/** The overrides without undefined values, each checked against its kind. */
function checked(overrides: Partial<Settings>, caller: string): Partial<Settings> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(overrides)) {
    const kind = KINDS[key as keyof Settings] as Kind | undefined;
    if (!kind) throw new Error(`${caller}: unknown setting "${key}" (settings: ${Object.keys(KINDS).join(', ')})`);
    if (value === undefined) continue;
    const problem = invalid(kind, value);
    if (problem) throw new Error(`${caller}: ${key} must be ${problem}, got ${JSON.stringify(value)}`);
    out[key] = Array.isArray(value) ? Object.freeze([...(value as string[])]) : value;
  }
  return out as Partial<Settings>;
}

/** What a value of this kind must be, or undefined when `v` is one. */
function invalid(kind: Kind, v: unknown): string | undefined {
  switch (kind.type) {
    case 'int':
      return Number.isInteger(v) && (v as number) >= kind.min ? undefined : `an integer ≥ ${kind.min}`;
    case 'number':
      return typeof v === 'number' && v >= kind.min ? undefined : `a number ≥ ${kind.min}`;
    case 'choice':
      return kind.choices.includes(v as string) ? undefined : kind.choices.map((c) => `'${c}'`).join(' or ');
    case 'id':
      return typeof v === 'string' && /^[\w]+$/.test(v)
        ? undefined
        : 'a kernel choice id (e.g. strided, plain_r4c8) or auto';
    case 'bool':
      return typeof v === 'boolean' ? undefined : 'true or false (1 or 0)';
    case 'ids':
      return Array.isArray(v) && v.every((s) => typeof s === 'string' && /^\w+$/.test(s))
        ? undefined
        : 'a list of kernel choice ids';
  }
}
