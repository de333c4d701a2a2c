// Output files of the CLI: checked writable before any work, written atomically (a crash or a
// second Ctrl-C mid-write never leaves half a record).
import { accessSync, constants, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** Throws a clear Error if `path` cannot be written (checked before training, not after). */
export function checkWritable(path: string): void {
  const p = resolve(path);
  if (existsSync(p) && statSync(p).isDirectory()) throw new Error(`--out ${path} is a folder; give a file name`);
  let dir = dirname(p);
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw new Error(`--out ${path}: ${dir} is a file, not a folder`);
  try {
    accessSync(dir, constants.W_OK);
    if (existsSync(p)) accessSync(p, constants.W_OK);
  } catch {
    throw new Error(`--out ${path} is not writable (no write permission in ${dir})`);
  }
}

export function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(resolve(path)), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
