// Plan time per model in node, to compare with the native criterion benchmark
// (`cargo bench --bench plan`): the median of 30 plans after 2 s of warm-up (the
// engine optimises a module's hot code only after it has run a while), one model
// at a time, the state's text parsed inside the call (as the game calls it).
//
//   node js/bench.mjs [MODEL...]      (after node js/build.mjs; every model by default)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const reallot = await import('./dist/reallot.js');
const only = process.argv.slice(2);
const models = fs.readdirSync(path.join(root, 'models')).filter((f) => f.endsWith('.json')).sort();
for (const file of models.filter((f) => only.length === 0 || only.includes(path.basename(f, '.json')))) {
    const state = fs.readFileSync(path.join(root, 'models', file), 'utf8');
    for (const warm = performance.now(); performance.now() - warm < 2000; ) reallot.json.plan(state);
    const times = [];
    for (let i = 0; i < 30; i++) {
        const start = performance.now();
        reallot.json.plan(state);
        times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const median = (times[14] + times[15]) / 2;
    console.log(`${path.basename(file, '.json').padEnd(14)} ${median.toFixed(3).padStart(9)} ms`);
}
