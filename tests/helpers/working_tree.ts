// A copy of the working tree as a clone would have it (tests that run set-up or packaging from nothing).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Copies the files a clone would have into `to`: tracked and untracked-but-not-ignored (uncommitted work included). */
export function copyWorkingTree(to: string): void {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  for (const rel of new Set(listed.split('\0').filter(Boolean))) {
    const from = join(repoRoot, rel);
    if (!existsSync(from) || !statSync(from).isFile()) continue; // deleted in the working tree
    mkdirSync(dirname(join(to, rel)), { recursive: true });
    cpSync(from, join(to, rel));
  }
}
