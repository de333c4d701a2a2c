// Install scripts are reviewed, not run by default: every package in the lock file that has one (preinstall,
// install, postinstall) must have a decision in package.json's allowScripts (npm ≥ 11: `npm install-scripts
// approve|deny <pkg>`), so a new dependency with an install script fails here until someone has looked at it.
// docs/security.md says which ones there are and why none of them runs.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { allowScripts?: Record<string, boolean> };
const lock = JSON.parse(readFileSync('package-lock.json', 'utf8')) as {
  packages: Record<string, { version?: string; hasInstallScript?: boolean }>;
};

describe('install scripts', () => {
  it('every dependency with an install script has a reviewed decision in allowScripts', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([path, p]) => path && p.hasInstallScript)
      .map(([path, p]) => ({ name: path.replace(/^.*node_modules\//, ''), version: p.version }));
    const decided = pkg.allowScripts ?? {};
    const covered = (name: string, version?: string) =>
      Object.hasOwn(decided, name) || Object.hasOwn(decided, `${name}@${version}`);
    expect(withScripts.filter((p) => !covered(p.name, p.version))).toEqual([]);
    // Approvals are pinned to a reviewed version (pkg@1.2.3); denials are by name.
    expect(Object.entries(decided).filter(([k, allow]) => allow && !/@\d/.test(k.replace(/^@/, '')))).toEqual([]);
  });
});
