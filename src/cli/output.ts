// What the CLI prints: every line is stripped of control characters (a name, a path or a backend read from a file
// cannot move the cursor, clear the screen or retitle the terminal) and cut to a readable length; every error is
// one of ours by the time it reaches the user (describeError: the top-level boundary).
import { DatasetError, NonFiniteLossError, RefusedError } from '../engine/core/errors';
import { FileError } from '../node/files';

/** Exit codes: 0 done, 1 error, 2 usage, 3 diverged, 4 refused (cost), 130 interrupted. */
export const EXIT = { ok: 0, error: 1, usage: 2, diverged: 3, refused: 4, interrupted: 130 } as const;

/** Text as it may reach a terminal: no control characters but newlines, no bidi overrides, at most `max`. */
export function printable(s: string, max = 4000): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const t = String(s).replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** A message line on stderr (the progress bar writes its own escapes; nothing from a file does). */
export const say = (s: string): void => void process.stderr.write(`${printable(s)}\n`);

/** A line on stdout (tables, reports), printable. */
export const print = (s: string): void => void process.stdout.write(`${printable(s, 1_000_000)}\n`);

/** Errors a user may usage-correct: wrong or unknown options (node:util parseArgs). */
const isUsage = (e: unknown) =>
  typeof (e as { code?: unknown })?.code === 'string' && /^ERR_PARSE_ARGS/.test((e as { code: string }).code);

/** The exit code an error ends the CLI with. */
export function exitCodeOf(e: unknown): number {
  if (isUsage(e)) return EXIT.usage;
  if (e instanceof RefusedError) return EXIT.refused;
  if (e instanceof NonFiniteLossError) return EXIT.diverged;
  return EXIT.error;
}

const OURS = [FileError, DatasetError, RefusedError, NonFiniteLossError];

/**
 * One sentence for any error: ours as they are (they are written for the user); a usage error with where to look;
 * a Node system error as what failed on which file; running out of memory as such; anything else as a bug to report,
 * never a raw JavaScript message alone. `debug` (--debug, SUPERNET_DEBUG=1) adds the stack.
 */
export function describeError(e: unknown, debug = false): string {
  const err = e instanceof Error ? e : new Error(String(e));
  const code = (err as { code?: unknown }).code;
  const stack = debug && err.stack ? `\n${err.stack}` : '';
  let text: string;
  if (isUsage(err)) text = `${printable(err.message, 200)} (see --help)`;
  else if (OURS.some((C) => err instanceof C) || (err.constructor === Error && code === undefined))
    text = printable(err.message, 1200);
  else if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
    const { syscall, path } = err as { syscall?: string; path?: string };
    text = `${syscall ?? 'a system call'}${path ? ` on ${printable(path, 120)}` : ''} failed: ${code}`;
  } else if (err.name === 'RuntimeError' || /allocation failed|Invalid array length|out of memory/i.test(err.message))
    text =
      `the backend ran out of memory or stopped (${printable(err.message, 80)}): try a smaller model or batch, ` +
      `or --backend cpu`;
  else
    text =
      `internal error (${err.name}: ${printable(err.message, 120)}): this is a bug, not your input; please report ` +
      `it with the command you ran (--debug or SUPERNET_DEBUG=1 prints where it happened)`;
  return `${text}${stack}`;
}
