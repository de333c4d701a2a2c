// Untrusted JSON (share links, --config files, imported or stored records) is walked once, without
// recursion, before any schema sees it: too deep, too long or prototype-polluting input is refused
// with a message instead of overflowing a stack or hanging the page.

export interface JsonLimits {
  maxDepth: number;
  maxStringLength: number;
  maxKeys: number;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** A path or key from the input as a message may show it: control characters dropped, at most 80 characters. */
export function shownKey(s: string, max = 80): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  const t = s.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

/** Throws an Error that says which limit was passed and where. */
export function checkJsonLimits(root: unknown, limits: JsonLimits, what = 'input'): void {
  const stack: { v: unknown; depth: number; path: string }[] = [{ v: root, depth: 0, path: '' }];
  let keys = 0;
  while (stack.length) {
    const { v, depth, path } = stack.pop()!;
    if (typeof v === 'string') {
      if (v.length > limits.maxStringLength)
        throw new Error(
          `${what}: the text at ${shownKey(path) || 'the top'} is ${v.length.toLocaleString('en')} characters long ` +
            `(at most ${limits.maxStringLength.toLocaleString('en')})`,
        );
      continue;
    }
    if (!v || typeof v !== 'object') continue;
    if (depth >= limits.maxDepth)
      throw new Error(`${what}: nested deeper than ${limits.maxDepth} levels at ${shownKey(path) || 'the top'}`);
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
    keys += entries.length;
    if (keys > limits.maxKeys) throw new Error(`${what}: more than ${limits.maxKeys.toLocaleString('en')} values`);
    for (const [k, x] of entries) {
      if (!Array.isArray(v) && FORBIDDEN.has(k))
        throw new Error(`${what}: the key "${k}" is not allowed (at ${shownKey(path) || 'the top'})`);
      stack.push({ v: x, depth: depth + 1, path: path ? `${path}.${k}` : k });
    }
  }
  // JSON.parse makes "__proto__" an own key; Object.entries sees it, so the loop above refuses it.
}

/** JSON.parse with a size limit first and the walk above after. */
export function parseJsonLimited(text: string, maxBytes: number, limits: JsonLimits, what: string): unknown {
  if (text.length > maxBytes)
    throw new Error(
      `${what} is ${(text.length / 1e6).toFixed(1)} MB, more than the ${(maxBytes / 1e6).toFixed(0)} MB this ` +
        `build reads`,
    );
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${what} is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  checkJsonLimits(value, limits, what);
  return value;
}

export const CONFIG_LIMITS: JsonLimits = { maxDepth: 8, maxStringLength: 200, maxKeys: 500 };
