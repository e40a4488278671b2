/** Root jest config: one project per workspace package, all sharing the preset. */
const fs = require('node:fs');
const path = require('node:path');
const preset = require('./tooling/jest-preset/jest-preset.cjs');

const dirs = ['packages', 'apps']
  .flatMap((d) => fs.readdirSync(path.join(__dirname, d)).map((n) => path.join(d, n)))
  .concat(['tooling/test-helpers', 'tooling/install-check', 'tooling/readme-check'])
  .filter((d) => fs.existsSync(path.join(__dirname, d, 'src')));

module.exports = {
  // a global option: per-project presets cannot set it
  testTimeout: preset.testTimeout,
  projects: dirs.map((d) => ({
    ...preset,
    displayName: d,
    rootDir: path.join(__dirname, d),
  })),
};
