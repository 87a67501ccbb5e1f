// Plan time per model in node, to compare with the native criterion benchmark
// (`cargo bench --bench plan`): the median of 30 plans after 5 to warm up, one
// model at a time, the state's text parsed inside the call (as the game calls it).
//
//   node js/bench.mjs          (after node js/build.mjs)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const reallot = await import('./dist/reallot.js');
for (const file of fs.readdirSync(path.join(root, 'models')).filter((f) => f.endsWith('.json')).sort()) {
    const state = fs.readFileSync(path.join(root, 'models', file), 'utf8');
    const times = [];
    for (let i = 0; i < 35; i++) {
        const start = performance.now();
        reallot.json.plan(state);
        if (i >= 5) times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    const median = (times[14] + times[15]) / 2;
    console.log(`${path.basename(file, '.json').padEnd(14)} ${median.toFixed(3).padStart(9)} ms`);
}
