#!/usr/bin/env node
// Part of `npm run build`: tsc compiles only .ts files, so the web console's static front end
// (src/console/static: HTML, CSS, browser JavaScript) is copied next to its compiled server in dist/console/static.
'use strict';
const { cpSync, rmSync } = require('node:fs');
const { join } = require('node:path');
const root = join(__dirname, '..');
const to = join(root, 'dist', 'console', 'static');
rmSync(to, { recursive: true, force: true });
cpSync(join(root, 'src', 'console', 'static'), to, { recursive: true });
