// Runs a function inside a temporary state (a settings layer, an autocast region) and undoes it afterwards: when the
// function returns, throws, or (for an async function) when its promise settles.

/** fn's result; `restore` runs once fn is done, whichever way it ends. */
export function withRestore<T>(fn: () => T, restore: () => void): T {
  let result: T;
  try {
    result = fn();
  } catch (e) {
    restore();
    throw e;
  }
  if (result instanceof Promise) return result.finally(restore) as T;
  restore();
  return result;
}
