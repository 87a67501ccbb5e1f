// The single-file module in a real browser, the environment the game runs in:
// headless Chromium loads it from a local page and plans a model.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { cli, dist, unhurried } from './support.mjs';

const chromium = '/usr/bin/chromium';
const page = `<!doctype html><title>loading</title>
<script type="module">
  import * as reallot from './reallot.js';
  window.reallot = reallot;
  document.title = 'ready';
</script>`;

// CI installs Chromium; elsewhere the test says what it needs.
const skip = !fs.existsSync(chromium) && !process.env.CI && `${chromium} is missing (apt-get install chromium)`;

test('headless Chromium plans a model with the module, the CLI\'s bytes', { skip }, async () => {
    const { chromium: launcher } = await import('playwright-core');
    const server = http.createServer((req, res) => {
        if (req.url === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end(page);
        if (req.url === '/reallot.js') {
            return res.writeHead(200, { 'content-type': 'text/javascript' }).end(fs.readFileSync(path.join(dist, 'reallot.js')));
        }
        res.writeHead(404).end();
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'reallot-chromium-'));
    const browser = await launcher.launchPersistentContext(profile, {
        executablePath: chromium,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
            '--disable-sync', '--no-first-run'],
    });
    try {
        const tab = await browser.newPage();
        const errors = [];
        tab.on('pageerror', (e) => errors.push(e.message));
        await tab.goto(`http://127.0.0.1:${server.address().port}/`);
        await tab.waitForFunction(() => document.title === 'ready', null, { timeout: 60000 }).catch(() => {
            throw new Error(`the module did not load: ${errors.join('; ')}`);
        });
        const state = unhurried('models/mid-game.json');
        const planned = await tab.evaluate((s) => window.reallot.json.plan(s), state);
        assert.equal(planned + '\n', cli(['plan'], state).stdout);
        const problems = await tab.evaluate(() => {
            try {
                window.reallot.check({ player: { hacking: 0 }, hosts: [] });
            } catch (e) {
                return e.problems.map((p) => p.path);
            }
        });
        assert.deepEqual(problems, ['player.hacking', 'hosts']);
    } finally {
        await browser.close();
        server.close();
        fs.rmSync(profile, { recursive: true, force: true });
    }
});
