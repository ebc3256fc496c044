// Node only. Dawn's two notices on its first adapter request ("Warning: maxDynamicUniformBuffersPerPipelineLayout
// artificially reduced from 1000000 to 16 …", same for storage buffers) come from its limit normalisation
// (dawn/native/Limits.cpp, NormalizeLimits) when the Vulkan driver reports more dynamic buffers than Dawn supports:
// lavapipe, NVIDIA and RADV all do. They are printed whatever limits we request, with fprintf(stderr) from native
// code, and no Dawn toggle or `webgpu` flag turns them off. So the one synchronous native call that prints them runs
// with file descriptor 2 pointed at a temporary file; what it wrote goes back to stderr without those two lines (a
// real error printed there is kept).
//
// Node has no dup2, so fd 2 is swapped by closing it and opening a path (the lowest free descriptor is taken):
// `/proc/self/fd/N` reopens what N points at. That is only done where a reopened descriptor behaves as the original
// (a terminal, a shell pipe, a file opened for appending), on Linux, with fds 0 and 1 open; elsewhere (a socket, as
// Node's child_process 'pipe' is, or a file written from its start) the call runs as is and the notices show.
// Opt-in (the CLIs and benches call quietDawnNotices() before their first init()): another thread opening a file
// between the close and the open would take fd 2, which a CLI at start-up rules out and a library cannot.
import { closeSync, constants, fstatSync, openSync, readFileSync, readSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Dawn's limit-normalisation notices, one per line. */
export const DAWN_LIMIT_NOTICE =
  /^Warning: maxDynamic(?:Uniform|Storage)BuffersPerPipelineLayout artificially reduced from \d+ to \d+ to fit dynamic offset allocation limit\.$/;

/** `text` without the lines `drop` matches. */
export function dropLines(text: string, drop: RegExp): string {
  return text
    .split(/(?<=\n)/)
    .filter((line) => !drop.test(line.replace(/\r?\n$/, '')))
    .join('');
}

/** Runs `fn` (synchronous: nothing else may write to stderr meanwhile), writing what it printed to fd 2 back to
 *  stderr without the lines `drop` matches. Runs `fn` plainly where fd 2 cannot be swapped safely (see above). */
export function filterNativeStderr<T>(fn: () => T, drop: RegExp): T {
  const saved = reopenStderr();
  if (saved === undefined) return fn();
  const { fd: savedFd, flags } = saved;
  const capture = openCapture();
  if (capture === undefined) {
    closeSync(savedFd);
    return fn();
  }
  let swapped = false;
  try {
    swapped = swapStderr(capture, constants.O_WRONLY);
    return fn();
  } finally {
    // Restore when swapped, or when the swap failed after closing 2 (2 still free: nobody else took it).
    if (swapped || !isOpen(2)) swapStderr(savedFd, flags);
    closeSync(savedFd);
    const kept = dropLines(readAll(capture), drop);
    closeSync(capture);
    if (kept) process.stderr.write(kept);
  }
}

/** Closes fd 2 and reopens `/proc/self/fd/<fd>` in its place; false if another descriptor number came back (another
 *  thread took 2 in between: nothing can be swapped then). */
function swapStderr(fd: number, flags: number): boolean {
  if (isOpen(2)) closeSync(2);
  const got = openSync(`/proc/self/fd/${fd}`, flags);
  if (got === 2) return true;
  closeSync(got);
  return false;
}

/** Whether `fd` was opened with O_APPEND (its flags in /proc/self/fdinfo, octal). */
function isAppending(fd: number): boolean {
  const flags = /^flags:\s*([0-7]+)$/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))?.[1];
  return flags !== undefined && (parseInt(flags, 8) & constants.O_APPEND) !== 0;
}

function isOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

/** A temporary file to capture into, already unlinked (its descriptor keeps it). */
function openCapture(): number | undefined {
  const path = join(tmpdir(), `webtune-stderr-${process.pid}-${Date.now()}.txt`);
  try {
    const fd = openSync(path, 'wx+');
    unlinkSync(path);
    return fd;
  } catch {
    return undefined; // no writable temporary directory: leave stderr alone
  }
}

/** A second descriptor for what fd 2 is and the flags it was opened with, when fd 2 may be swapped. */
function reopenStderr(): { fd: number; flags: number } | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    if (!isOpen(0) || !isOpen(1)) return undefined; // then closing 2 would not make 2 the lowest free descriptor
    const reopen = (flags: number) => ({ fd: openSync('/proc/self/fd/2', flags), flags });
    const st = fstatSync(2);
    if (st.isCharacterDevice()) return reopen(constants.O_WRONLY | constants.O_NOCTTY);
    // A file opened for appending (2>>log) reopens as one; any other file shares its offset with other holders, which
    // a reopened descriptor would not. A socket (a Node parent's 'pipe') cannot be reopened at all.
    if (st.isFile() && isAppending(2)) return reopen(constants.O_WRONLY | constants.O_APPEND);
    if (!st.isFIFO()) return undefined;
    // A pipe's write end opens at once while a reader exists; without one a blocking open would wait forever.
    closeSync(openSync('/proc/self/fd/2', constants.O_WRONLY | constants.O_NONBLOCK));
    return reopen(constants.O_WRONLY);
  } catch {
    return undefined;
  }
}

function readAll(fd: number): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(4096);
  for (let pos = 0, n: number; (n = readSync(fd, buf, 0, buf.length, pos)) > 0; pos += n)
    chunks.push(Buffer.from(buf.subarray(0, n)));
  return Buffer.concat(chunks).toString('utf8');
}
