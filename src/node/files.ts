// Every file the CLI reads or writes goes through here, on one set of rules.
//
// Writing: the target must be a regular file (or a new one) in a writable folder — checked before any work, and
// for root too (root can open /dev/full, /proc/… or a FIFO, so the type of the target is checked, not the
// permission bits). A write goes to a temporary file beside the target, is fsynced, renamed over the target, and
// the folder is fsynced: a full disk, a crash or a second Ctrl-C mid-write leaves the old file as it was.
//
// Reading: the file is opened first (non-blocking, so a FIFO cannot hang the open), then its type and size are taken
// from the open descriptor (fstat, so a path swapped between the check and the read changes nothing). Anything but a
// regular file, or a file over the reader's limit, is refused with a message naming it, before a byte is read.
import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  realpathSync,
  renameSync,
  statfsSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { stripControl } from '../engine/schema/config';

/** A file that cannot be read or written as asked: the message names it and says why, for the user. */
export class FileError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'FileError';
  }
}

/** A path as it may be printed: control characters dropped, long ones cut. */
export const shown = (path: string, max = 120): string => {
  const s = stripControl(String(path));
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
};

/** What a non-regular file is, in words. */
export function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a folder';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  return st.isFile() ? 'a regular file' : 'not a regular file';
}

const REASONS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EFBIG: 'the file is larger than this system allows (see ulimit -f)',
  EIO: 'an input/output error',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  ENXIO: 'no such device (a socket or a FIFO without a writer?)',
  EMFILE: 'too many open files',
  EBUSY: 'the file is busy',
  EEXIST: 'it exists already',
};

/** A Node system error (ENOENT, ENOSPC, …) in words. */
export function reason(e: unknown): string {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string') return REASONS[code] ? `${REASONS[code]} (${code})` : code;
  return shown((e as Error)?.message ?? String(e), 200);
}

// Kernel file systems whose "files" are not files: procfs, sysfs, cgroup, debugfs, securityfs, tracefs, configfs,
// bpf, pstore, efivarfs. Writing a record there fails late or does something else entirely.
const VIRTUAL_FS = new Set([
  0x9fa0, 0x62656572, 0x63677270, 0x27e0eb, 0x64626720, 0x73636673, 0x74726163, 0x62656570, 0xcafe4a11, 0x6165676c,
  0xde5e81e4,
]);
const VIRTUAL_PREFIX = /^\/(proc|sys)(\/|$)/;

function isVirtual(realDir: string): boolean {
  if (VIRTUAL_PREFIX.test(realDir)) return true;
  try {
    return VIRTUAL_FS.has(Number(statfsSync(realDir).type));
  } catch {
    return false;
  }
}

const lstatOrUndefined = (p: string): Stats | undefined => {
  try {
    return lstatSync(p);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return undefined;
    throw e;
  }
};

/**
 * The file a write to `path` replaces: the path itself, or where its symbolic link leads. Throws a FileError if
 * that is anything but a regular file or nothing yet.
 */
function writeTarget(path: string, what: string): { target: string; existing?: Stats } {
  if (typeof path !== 'string' || path.trim() === '') throw new FileError(`${what} is empty: give a file name`, '');
  if (path.includes('\0')) throw new FileError(`${what} ${shown(path)}: a file name cannot hold a NUL character`, path);
  let target = resolve(path);
  let st = lstatOrUndefined(target);
  if (st?.isSymbolicLink()) {
    try {
      target = realpathSync(target);
    } catch (e) {
      throw new FileError(`${what} ${shown(path)} is a symbolic link that leads nowhere (${reason(e)})`, path);
    }
    st = lstatSync(target);
  }
  if (st && st.isDirectory()) throw new FileError(`${what} ${shown(path)} is a folder; give a file name`, path);
  if (st && !st.isFile())
    throw new FileError(`${what} ${shown(path)} is ${kindOf(st)}, not a regular file: give a file name`, path);
  return { target, existing: st };
}

/**
 * Throws a FileError if `path` cannot take a file written by writeAtomic: empty, a folder, a device, a FIFO, a
 * socket (or a link to one), under /proc or /sys, or in a folder this process cannot create files in (tried, not
 * guessed from permission bits). Call it before the work whose result it will hold.
 */
export function checkWritable(path: string, what = '--out'): void {
  const { target, existing } = writeTarget(path, what);
  let dir = dirname(target);
  while (!lstatOrUndefined(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory())
    throw new FileError(`${what} ${shown(path)}: ${shown(dir)} is a file, not a folder`, path);
  const realDir = realpathSync(dir);
  if (isVirtual(realDir) || isVirtual(dirname(target)))
    throw new FileError(
      `${what} ${shown(path)} is in a kernel file system (${shown(realDir)}), not a place for files`,
      path,
    );
  if (existing) {
    try {
      accessSync(target, constants.W_OK);
    } catch {
      throw new FileError(`${what} ${shown(path)} is not writable (the file is read-only)`, path);
    }
  }
  // A file is made and removed in the nearest existing folder: permissions, read-only mounts and root squash all
  // answer the way the real write will.
  const probe = join(realDir, `.supernet-probe-${process.pid}-${Math.random().toString(36).slice(2)}`);
  try {
    closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
    unlinkSync(probe);
  } catch (e) {
    throw new FileError(
      `${what} ${shown(path)} is not writable: cannot create a file in ${shown(realDir)} (${reason(e)})`,
      path,
    );
  }
}

/** fsync of a folder, so a rename in it survives a power cut; some file systems refuse, which changes nothing. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
    fsyncSync(fd);
  } catch {
    // EINVAL/EBADF on file systems without folder fsync: the rename is still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `data` to `path` atomically: a temporary file beside it, written whole and fsynced, then renamed over it,
 * then the folder fsynced. On any failure (a full disk, a read-only folder) the temporary file is removed, the old
 * file is left exactly as it was, and the FileError says so.
 */
export function writeAtomic(path: string, data: string | Uint8Array, what = 'output'): void {
  const { target, existing } = writeTarget(path, what);
  const dir = dirname(target);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const tmp = join(dir, `.${basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`);
  let fd: number | undefined;
  try {
    mkdirSync(dir, { recursive: true });
    fd = openSync(
      tmp,
      constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
      existing ? existing.mode & 0o777 : 0o666,
    );
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, target);
  } catch (e) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // not made, or gone already
    }
    throw new FileError(
      `could not write ${shown(path)}: ${reason(e)}; ` +
        (existing ? `the previous ${shown(path)} is unchanged` : 'nothing was written'),
      path,
    );
  }
  syncFolder(dir);
}

/**
 * Opens `path` for reading if it is a regular file of at most `maxBytes`; the descriptor and its size. The open is
 * non-blocking (a FIFO without a writer would block it), and type and size come from the descriptor.
 */
export function openRegular(path: string, maxBytes: number, what: string): { fd: number; size: number } {
  if (typeof path !== 'string' || path === '') throw new FileError(`${what}: no file name given`, '');
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const st = lstatOrUndefined(path);
    if (st && !st.isFile() && !st.isSymbolicLink())
      throw new FileError(`${what} ${shown(path)} is ${kindOf(st)}, not a regular file`, path);
    throw new FileError(`cannot read ${what} ${shown(path)}: ${reason(e)}`, path);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new FileError(`${what} ${shown(path)} is ${kindOf(st)}, not a regular file`, path);
  }
  if (st.size > maxBytes) {
    closeSync(fd);
    throw new FileError(
      `${what} ${shown(path)} is ${fmtSize(st.size)}, more than the ${fmtSize(maxBytes)} this build reads`,
      path,
    );
  }
  return { fd, size: st.size };
}

export const fmtSize = (b: number): string =>
  b >= 1e9 ? `${(b / 1e9).toFixed(1)} GB` : b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${b.toLocaleString('en')} bytes`;

/**
 * A regular file of at most `maxBytes`, read whole (see openRegular). Files whose size the kernel does not report
 * (procfs) are read up to the limit and refused past it.
 */
export function readBounded(path: string, maxBytes: number, what: string): Uint8Array {
  const { fd, size } = openRegular(path, maxBytes, what);
  try {
    let buf = new Uint8Array(Math.min(maxBytes, size) + 1);
    let got = 0;
    for (;;) {
      if (got === buf.length) {
        if (buf.length > maxBytes)
          throw new FileError(`${what} ${shown(path)} is more than the ${fmtSize(maxBytes)} this build reads`, path);
        const grown = new Uint8Array(Math.min(maxBytes + 1, buf.length * 2 + 65536));
        grown.set(buf);
        buf = grown;
      }
      const n = readSync(fd, buf, got, buf.length - got, null);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  } catch (e) {
    if (e instanceof FileError) throw e;
    throw new FileError(`cannot read ${what} ${shown(path)}: ${reason(e)}`, path);
  } finally {
    closeSync(fd);
  }
}

/** A regular text file of at most `maxBytes` (UTF-8). */
export function readTextBounded(path: string, maxBytes: number, what: string): string {
  return Buffer.from(readBounded(path, maxBytes, what)).toString('utf8');
}

/** A regular file of at most `maxBytes`, read in pieces: an archive is never held whole. */
export function* fileChunks(path: string, maxBytes: number, what: string, size = 1 << 20): Generator<Uint8Array> {
  const { fd } = openRegular(path, maxBytes, what);
  try {
    const buf = new Uint8Array(size);
    let total = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, size, null);
      if (n === 0) return;
      total += n;
      if (total > maxBytes)
        throw new FileError(`${what} ${shown(path)} grew past the ${fmtSize(maxBytes)} this build reads`, path);
      yield buf.slice(0, n);
    }
  } finally {
    closeSync(fd);
  }
}
