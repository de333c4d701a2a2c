// Layout rules: the engine has no DOM, no worker API and no Node API, so it runs unchanged in a
// worker and in Node; views never import the worker.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

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
    for (const f of files('src/lib/views'))
      expect(readFileSync(f, 'utf8'), f).not.toMatch(/worker|persist|fetch\(|indexedDB/);
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
});
