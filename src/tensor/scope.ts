// Deterministic tensor lifetime: every tensor made inside tidy(fn) is disposed when fn returns, except what fn
// returns and what was keep()-ed, so a training loop cannot leak GPU memory.

export interface Disposable {
  dispose(): void;
  readonly isDisposed: boolean;
}

const scopes: Set<Disposable>[] = [];
const kept = new WeakSet<Disposable>();

/** Registers a new tensor with the innermost scope. */
export function track(t: Disposable): void {
  scopes.at(-1)?.add(t);
}

/** Exempts `t` from disposal by the enclosing scopes (parameters, gradients, optimizer state). */
export function keep<T extends Disposable>(t: T): T {
  kept.add(t);
  for (const s of scopes) s.delete(t);
  return t;
}

/** Runs fn; disposes the tensors it made except those it returns (found in arrays and plain objects). */
export function tidy<T>(fn: () => T): T {
  const scope = openScope();
  let result: T;
  try {
    result = fn();
  } finally {
    closeScope(scope);
  }
  return disposeExcept(scope, result);
}

/** Async variant for code that awaits inside (readbacks); tensors are tracked across the awaits. */
export async function tidyAsync<T>(fn: () => Promise<T>): Promise<T> {
  const scope = openScope();
  let result: T;
  try {
    result = await fn();
  } finally {
    closeScope(scope);
  }
  return disposeExcept(scope, result);
}

function openScope(): Set<Disposable> {
  const scope = new Set<Disposable>();
  scopes.push(scope);
  return scope;
}

function closeScope(scope: Set<Disposable>): void {
  const i = scopes.lastIndexOf(scope);
  if (i >= 0) scopes.splice(i, 1);
}

/** Disposes what the scope tracked, except the tensors in `result` (which move to the enclosing scope) and kept ones. */
function disposeExcept<T>(scope: Set<Disposable>, result: T): T {
  const survivors = new Set<Disposable>();
  collect(result, survivors, 0);
  for (const t of scope) {
    if (survivors.has(t)) scopes.at(-1)?.add(t);
    else if (!kept.has(t) && !t.isDisposed) t.dispose();
  }
  return result;
}

function collect(value: unknown, out: Set<Disposable>, depth: number): void {
  if (!value || typeof value !== 'object' || depth > 4) return;
  if ('dispose' in value && 'isDisposed' in value) {
    out.add(value as Disposable);
    return;
  }
  if (Array.isArray(value)) for (const v of value) collect(v, out, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype)
    for (const v of Object.values(value)) collect(v, out, depth + 1);
}
