// What the tests share: the paths, the native CLI, the built module.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const dist = path.join(root, 'js', 'dist');

const bin = path.join(root, 'target', 'release', 'reallot');
if (!fs.existsSync(bin)) throw new Error(`${bin} is missing: run \`cargo build --release\` first`);

/** Runs the native CLI in the crate root: its exit code, standard output and error. */
export function cli(args, input) {
    const r = spawnSync(bin, args, { cwd: root, encoding: 'utf8', input });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The `.json` files of a folder under the crate root, as paths relative to it. */
export function jsonFiles(dir) {
    return fs
        .readdirSync(path.join(root, dir))
        .filter((f) => f.endsWith('.json'))
        .sort()
        .map((f) => `${dir}/${f}`);
}

export function read(file) {
    return fs.readFileSync(path.join(root, file), 'utf8');
}

/**
 * A model's text with a time limit no load reaches: only a solve cut by
 * `policy.time_limit_ms` may differ between runs (the first call of a WebAssembly
 * module runs before the engine has optimised it, and CI machines are shared).
 */
export function unhurried(file) {
    const state = JSON.parse(read(file));
    return JSON.stringify({ ...state, policy: { ...state.policy, time_limit_ms: 60000 } });
}
