// The README's table of supported API versions is generated from the handler registry (what ApiVersions advertises),
// so it cannot drift: this test renders it and compares. `UPDATE_README=1 npx jest --selectProjects unit
// --runTestsByPath test/unit/server/handlers/registry-readme.test.ts` rewrites the table in place.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { advertisedApis } from '../../../../src/server/handlers/registry';
import { apisByKey } from '../../../../src/protocol/messages';

const README = join(__dirname, '../../../../README.md');
const START = '<!-- api-versions:start -->';
const END = '<!-- api-versions:end -->';

/** One row per advertised API: name, key, the versions served, and the first flexible one among them. */
export function renderApiVersionsTable(): string {
  const rows = advertisedApis.map((a) => {
    const api = apisByKey.get(a.apiKey)!;
    const range = a.minVersion === a.maxVersion ? `${a.minVersion}` : `${a.minVersion}-${a.maxVersion}`;
    const flex = api.flexibleVersions !== null && api.flexibleVersions <= a.maxVersion ? `${Math.max(api.flexibleVersions, a.minVersion)}+` : '—';
    return `| ${api.name} | ${a.apiKey} | ${range} | ${flex} |`;
  });
  return ['| API | Key | Versions | Flexible |', '| --- | ---: | --- | --- |', ...rows].join('\n');
}

test('the README lists exactly the API versions the registry advertises', () => {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(START);
  const end = text.indexOf(END);
  expect(start).toBeGreaterThanOrEqual(0);
  expect(end).toBeGreaterThan(start);
  const expected = `${START}\n${renderApiVersionsTable()}\n${END}`;
  const current = text.slice(start, end + END.length);
  if (process.env.UPDATE_README === '1' && current !== expected) writeFileSync(README, text.slice(0, start) + expected + text.slice(end + END.length));
  else expect(current).toBe(expected);
});

test('the table has one row per advertised API, in key order, ApiVersions and the 3.x admin APIs among them', () => {
  const table = renderApiVersionsTable();
  expect(table.split('\n')).toHaveLength(advertisedApis.length + 2);
  expect(table).toContain('| ApiVersions | 18 | 0-3 | 3+ |');
  expect(table).toContain('| DescribeCluster | 60 | 0 | 0+ |');
  expect(table).toContain('| DescribeLogDirs | 35 | 0-4 | 2+ |');
});
