// The TypeScript sources, the example and the adapters among them, type-check
// against the declarations generated from the Rust types.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

import { root } from './support.mjs';

test('tsc --noEmit passes on js/src (rebalance.ts, adapters.ts, ...)', () => {
    const js = path.join(root, 'js');
    const tsc = path.join(js, 'node_modules', '.bin', 'tsc');
    const r = spawnSync(tsc, ['-p', path.join(js, 'tsconfig.json'), '--noEmit'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
});
