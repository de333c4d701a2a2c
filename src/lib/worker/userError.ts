// What a user reads when something fails. The project's own messages (errors the code throws on purpose, with a
// sentence meant for the user) pass through; a raw JavaScript error (a TypeError, a RangeError, a DOMException…) or
// an engine error in the middle of training becomes one sentence that says what to do, and its technical text goes
// to the browser console. Shared by the training worker, the links and the session.

/** Error classes whose messages are written for the user: plain Error and the engine's own (engine/core/errors). */
const PROJECT_ERRORS = new Set(['Error', 'NonFiniteLossError', 'DatasetError', 'RefusedError']);

/** The longest message shown as it is; longer ones are cut (with …). */
export const MAX_MESSAGE = 400;

/** Text cut to `max` characters, control characters dropped. */
export function capped(text: string, max = MAX_MESSAGE): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const t = text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** The message of an error the project threw on purpose; undefined for a raw JavaScript error or a non-error. */
export function projectMessage(e: unknown): string | undefined {
  if (!(e instanceof Error) || !PROJECT_ERRORS.has(e.name) || typeof e.message !== 'string' || !e.message)
    return undefined;
  return capped(e.message);
}

/** The technical text of an error, for the console (its stack too, unless `brief`). */
export function technical(e: unknown, brief = false): string {
  if (e instanceof Error) {
    const head = `${e.name}: ${e.message}`;
    if (brief || !e.stack) return head;
    return e.stack.startsWith(head) ? e.stack : `${head}\n${e.stack}`;
  }
  try {
    return `non-error thrown: ${JSON.stringify(e)?.slice(0, 500)}`;
  } catch {
    return `non-error thrown: ${String(e).slice(0, 500)}`;
  }
}

const isMemoryError = (e: unknown) =>
  /memory|allocat|out of bounds|Aborted|RangeError: Array buffer/i.test(
    e instanceof Error ? `${e.name}: ${e.message}` : String(e),
  );

/** Where the worker was when it failed: each stage has its own advice. */
export type Stage = 'init' | 'config' | 'prepare' | 'resume' | 'train' | 'estimate';

export const CONSOLE = 'the details are in the browser console';

/**
 * The one sentence a user reads for an error in the worker at `stage`; `memory` tells the page to start a new worker.
 * In 'config', 'prepare', 'init' and 'estimate' a plain Error is the project's own check (an invalid config, a
 * dataset that is too small, no usable backend) and is shown as it is; in training it may come from anywhere.
 */
export function explain(e: unknown, stage: Stage): { message: string; memory: boolean } {
  const memory = isMemoryError(e);
  // A checkpoint that does not restore says so first ("out of bounds" from a damaged one is not a lack of memory).
  if (stage === 'resume')
    return {
      message:
        `the interrupted run could not be resumed: its saved checkpoint is damaged or does not fit this ` +
        `experiment (${CONSOLE}); it was discarded — press ▶ Run to train the experiment from the start`,
      memory,
    };
  if (memory)
    return {
      message: `the training worker failed: out of memory (${CONSOLE}); choose a smaller model, batch or dataset`,
      memory: true,
    };
  const own = projectMessage(e);
  const plain = e instanceof Error && e.name === 'Error';
  if (own && (!plain || stage !== 'train')) return { message: own, memory: false };
  if (stage === 'estimate')
    return { message: `the cost of this run could not be estimated (${CONSOLE})`, memory: false };
  return {
    message:
      `the training worker failed unexpectedly (${CONSOLE}); press ▶ Run to try again, or reload the page if it ` +
      `happens again`,
    memory: false,
  };
}

/**
 * Many problems as one short notice: how many, the first few, and how many more — never longer than `max` characters.
 */
export function summarise(items: readonly string[], what: (n: number) => string, first = 3, max = 600): string {
  if (items.length === 0) return '';
  if (items.length === 1) return capped(items[0], max);
  const shown = items.slice(0, first).map((x) => capped(x, Math.floor((max - 120) / first)));
  const more = items.length - shown.length;
  return capped(`${what(items.length)}: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`, max);
}
