// One place for each fact: a new sharing policy, added to the registry alone, reaches the config
// schema, the CLI's parser and usage, and the list the page's menu is built from.
import { afterAll, describe, expect, it } from 'vitest';
import * as v from 'valibot';
import { parseConfig } from '../src/engine/schema/config';
import { preset } from '../src/engine/schema/scales';
import { parseSharing, SHARING, sharingKinds, type PolicyDef } from '../src/engine/space/sharing';
import { usage } from '../src/cli/args';

const registry = SHARING as unknown as Record<string, PolicyDef>;

describe('sharing registry', () => {
  afterAll(() => delete registry['pairs']);
  it('a policy added once is parsed, validated, listed and described everywhere', () => {
    registry['pairs'] = {
      kind: 'pairs' as never,
      schema: v.strictObject({ kind: v.literal('pairs') }) as never,
      title: 'pairs of children',
      help: 'children share in pairs (a test policy)',
      defaults: { kind: 'pairs' } as never,
      params: [],
      label: () => 'pairs',
      format: () => 'pairs',
      parse: () => ({ kind: 'pairs' }) as never,
      copies: (_p, space) => space.numChildren / 2,
      groupMap: (_p, space) => Array.from({ length: space.numChildren }, (_, i) => Math.floor(i / 2)),
      keyFn: (_p, g) => (child, s) => `${s.name}#p${g[child]}`,
    };
    expect(parseSharing('pairs')).toEqual({ kind: 'pairs' });
    expect(parseConfig({ ...preset('tiny'), sharing: { kind: 'pairs' } }).sharing).toEqual({ kind: 'pairs' });
    expect(sharingKinds()).toContain('pairs'); // the page's sharing menu lists sharingKinds()
    expect(usage()).toMatch(/pairs\s+children share in pairs/);
    expect(() => parseConfig({ ...preset('tiny'), sharing: { kind: 'nope' } })).toThrow(/sharing/);
  });
});
