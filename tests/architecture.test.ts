// Layout rules: the engine has no DOM, no worker API and no Node API, so it runs unchanged in a
// worker and in Node; views never import the worker.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { circles, importGraph, roomOf } from './importGraph';

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : [join(dir, f)]));

describe('architecture', () => {
  it('engine code imports nothing from the app, the worker, the DOM or Node', () => {
    for (const f of files('src/engine')) {
      const src = readFileSync(f, 'utf8');
      expect(src, f).not.toMatch(/from '(\.\.\/)+(lib|node|cli)\//);
      expect(src, f).not.toMatch(
        /from 'node:|from 'svelte|\bdocument\.[a-zA-Z]+|\bwindow\.[a-zA-Z]+|postMessage\(|importScripts/,
      );
    }
  });
  it('views are pure: they import no worker, storage or network code', () => {
    for (const f of files('src/lib/charts'))
      expect(readFileSync(f, 'utf8'), f).not.toMatch(/worker|persist|fetch\(|indexedDB/);
  });
});

/**
 * The rooms, bottom up: a room imports only the rooms listed for it (and itself). The engine's rooms form layers
 * (core helpers; the data sets; the space of what varies — ops, sharing policies, child orders; the schemas of
 * configs and records; the kernels; the model; training; the findings); the page's rooms sit on the engine; the CLI
 * and the Node glue on the engine alone.
 */
const ENGINE = ['core', 'data', 'space', 'schema', 'kernels', 'model', 'train', 'findings'].map((r) => `engine/${r}`);
const LIB = ['worker', 'article', 'settings', 'charts', 'findings', 'session'].map((r) => `lib/${r}`);
const ROOMS: Record<string, string[]> = {
  'engine/core': [],
  'engine/data': ['engine/core'],
  'engine/space': ['engine/core'],
  'engine/schema': ['engine/core', 'engine/data', 'engine/space'],
  'engine/kernels': ['engine/core'],
  'engine/model': ['engine/core', 'engine/space', 'engine/schema', 'engine/kernels'],
  'engine/train': ['engine/core', 'engine/data', 'engine/space', 'engine/schema', 'engine/kernels', 'engine/model'],
  'engine/findings': ['engine/core', 'engine/space', 'engine/schema', 'engine/train'],
  'lib/worker': ENGINE,
  ...Object.fromEntries(LIB.slice(1).map((r, i) => [r, [...ENGINE, ...LIB.slice(0, i + 1)]])),
  node: ENGINE,
  cli: [...ENGINE, 'node'],
  app: [...ENGINE, ...LIB],
};

describe('rooms', () => {
  const graph = importGraph('src');
  it('no import circle, types and dynamic imports included', () => {
    expect(circles(graph)).toEqual([]);
  });
  it('every room imports only the rooms below it', () => {
    const bad: string[] = [];
    for (const [file, deps] of graph)
      for (const d of deps) {
        const [from, to] = [roomOf(file), roomOf(d)];
        if (from !== to && !(ROOMS[from] ?? []).includes(to)) bad.push(`${file} (${from}) -> ${d} (${to})`);
      }
    expect(bad).toEqual([]);
  });
  it('every file is in a known room', () => {
    expect([...graph.keys()].map(roomOf).filter((r) => !(r in ROOMS))).toEqual([]);
  });
  it('the circle check finds a circle, types included', () => {
    const g = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(circles(g)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(circles(new Map([['a.ts', ['a.ts']]]))).toEqual([['a.ts']]);
  });
});

describe('style', () => {
  it('no source line is wider than the formatter’s 120 characters', () => {
    const long: string[] = [];
    for (const dir of ['src', 'tests', 'bench', 'scripts', 'kernels'])
      for (const f of files(dir).filter((p) => /\.(ts|svelte|js|css)$/.test(p) && !p.endsWith('wasmKernels.bin.ts')))
        readFileSync(f, 'utf8')
          .split('\n')
          .forEach((l, i) => [...l].length > 120 && long.push(`${f}:${i + 1} (${[...l].length})`));
    expect(long).toEqual([]);
  });
  it('no function over 80 lines where a newcomer starts reading: the runner, the worker, the CLI', () => {
    const long: string[] = [];
    for (const dir of ['src/engine/train', 'src/lib/worker', 'src/cli'])
      for (const f of files(dir).filter((p) => p.endsWith('.ts'))) {
        const sf = ts.createSourceFile(f, readFileSync(f, 'utf8'), ts.ScriptTarget.Latest, true);
        const visit = (n: ts.Node) => {
          if (ts.isFunctionLike(n) && 'body' in n && n.body) {
            const lines =
              sf.getLineAndCharacterOfPosition(n.end).line - sf.getLineAndCharacterOfPosition(n.getStart()).line;
            if (lines + 1 > 80)
              long.push(`${f}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1} (${lines + 1} lines)`);
          }
          ts.forEachChild(n, visit);
        };
        visit(sf);
      }
    expect(long).toEqual([]);
  });
});
