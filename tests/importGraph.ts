// The project's import graph, read from the source: every relative import, `import type` and dynamic import()
// included, so a circle made only of types counts too. The architecture test checks it.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : [join(dir, f)]));

const SPEC = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+|new URL\(\s*)'(\.{1,2}\/[^']+)'/g;

function resolve(from: string, spec: string): string | undefined {
  const base = normalize(join(dirname(from), spec));
  return [base, `${base}.ts`, `${base}/index.ts`].find((p) => existsSync(p) && statSync(p).isFile());
}

/** file → the project files it imports (paths relative to the repository root). */
export function importGraph(root = 'src'): Map<string, string[]> {
  const g = new Map<string, string[]>();
  for (const f of walk(root).filter((p) => /\.(ts|svelte)$/.test(p))) {
    const deps = [...readFileSync(f, 'utf8').matchAll(SPEC)]
      .map((m) => resolve(f, m[1]))
      .filter((p): p is string => !!p && /\.(ts|svelte)$/.test(p));
    g.set(f, [...new Set(deps)]);
  }
  return g;
}

/** The import circles of a graph (strongly connected components of more than one file, or a file importing itself). */
export function circles(g: Map<string, string[]>): string[][] {
  // Tarjan's algorithm, iterative so a deep graph cannot overflow the stack.
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  for (const start of g.keys()) {
    if (index.has(start)) continue;
    const work: [string, number][] = [[start, 0]];
    while (work.length) {
      const top = work[work.length - 1];
      const [v, i] = top;
      if (i === 0) {
        index.set(v, next);
        low.set(v, next++);
        stack.push(v);
        on.add(v);
      }
      const deps = g.get(v) ?? [];
      if (i < deps.length) {
        top[1]++;
        const w = deps[i];
        if (!index.has(w)) work.push([w, 0]);
        else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent)!, low.get(v)!));
      }
      if (low.get(v) === index.get(v)) {
        const comp: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          comp.push(w);
        } while (w !== v);
        if (comp.length > 1 || (g.get(v) ?? []).includes(v)) out.push(comp.sort());
      }
    }
  }
  return out;
}

/** The room of a file: engine/<room>, lib/<room>, or the top folder under src (cli, node). */
export function roomOf(file: string): string {
  const p = file.split(/[\\/]/).slice(1);
  if ((p[0] === 'engine' || p[0] === 'lib') && p.length > 2) return `${p[0]}/${p[1]}`;
  return p.length > 1 ? p[0] : 'app';
}
