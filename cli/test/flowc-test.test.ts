// `flowc test`: the committed cases pass, a wrong expectation fails with a readable diff, a bad
// test file is a usage error pointing at its line, and skipped or focused cases never pass.
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/main.ts';
import type { CliIO } from '../src/io.ts';
import { parseJson } from '../src/testing/json.ts';
import { formatTime, parseDurationText, parseTimeText } from '../src/testing/time.ts';

const repo = new URL('../../', import.meta.url).pathname;
const WEBSITE = 'pipelines/website-analytics.flow';
const BASE = Date.UTC(2024, 0, 1, 12);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function flowc(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { cwd: repo, stdout: (t) => (stdout += `${t}\n`), stderr: (t) => (stderr += `${t}\n`) };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

interface CasesFile {
  base?: string;
  tests: Record<string, unknown>[];
}

let work = '';
let website: CasesFile;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'flowc-test-'));
  website = JSON.parse(readFileSync(join(repo, 'pipelines/website-analytics.tests.json'), 'utf8')) as CasesFile;
});

/** Writes a cases file into the temporary folder and returns its path. */
function casesFile(name: string, content: unknown): string {
  const path = join(work, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

function caseNamed(name: string): Record<string, unknown> {
  const found = website.tests.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no case "${name}" in website-analytics.tests.json`);
  return structuredClone(found);
}

const pageView = (id: string, user: string, url: string): Record<string, unknown> => ({
  eventId: id,
  eventType: 'PAGE_VIEW',
  userId: user,
  sessionId: `s-${user}`,
  pageViewData: { url },
});

describe('flowc test on the committed cases', () => {
  it('passes every website-analytics case', async () => {
    const run = await flowc('test', WEBSITE);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const passed = run.stdout.split('\n').filter((l) => l.startsWith('  ✓ ')).length;
    expect(passed).toBe(website.tests.length);
    expect(passed).toBeGreaterThanOrEqual(10);
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`${passed} passed, 0 failed`);
  });

  it('passes every api-monitoring case', async () => {
    const run = await flowc('test', 'pipelines/api-monitoring.flow');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/\n\d+ passed, 0 failed\n$/);
  });

  it('passes the complete example of docs/testing.md', async () => {
    const doc = readFileSync(join(repo, 'docs/testing.md'), 'utf8');
    const example = /```json\n([\s\S]*?)\n```/.exec(doc)?.[1];
    expect(example).toBeDefined();
    const run = await flowc('test', WEBSITE, '--cases', casesFile('docs-example.tests.json', example ?? ''));
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/\n1 passed, 0 failed\n$/);
    expect(run.code).toBe(0);
  });

  it('leaves no generated code behind', async () => {
    await flowc('test', WEBSITE, '--cases', casesFile('tiny.tests.json', { tests: [{ name: 'nothing happens', expect: { sessions: [] } }] }));
    const dir = join(repo, '.flowc-test');
    const ours = existsSync(dir) ? readdirSync(dir).filter((d) => d.includes(`-${process.pid}-`)) : [];
    expect(ours).toEqual([]);
  });
});

describe('a failing expectation', () => {
  it('exits 1 with a diff naming the stream, the window, the key, the measure and both values', async () => {
    const wrong = caseNamed('a late event within the allowed lateness updates the session and re-emits it');
    const rows = (wrong.expect as { sessions: { pages: number }[] }).sessions;
    (rows[1] as { pages: number }).pages = 3; // the re-emitted session has 2 pages
    const others = website.tests.filter((t) => t.name !== wrong.name);
    const run = await flowc('test', WEBSITE, '--cases', casesFile('wrong.tests.json', { ...website, tests: [...others, wrong] }));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`  ✗ ${String(wrong.name)}`);
    expect(run.stdout).toContain('sessions: 1 row differs');
    expect(run.stdout).toContain('window 12:00:00–12:00:20, key sessionId=s1');
    expect(run.stdout).toContain('pages: expected 3, actual 2');
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe(`${others.length} passed, 1 failed`);
  });

  it('lists missing and unexpected rows, and checks `expect` steps mid-case', async () => {
    const run = await flowc(
      'test',
      WEBSITE,
      '--cases',
      casesFile('rows.tests.json', {
        base: '2024-01-01T12:00:00Z',
        tests: [
          {
            name: 'realtime windows',
            input: [
              { at: '+0s', value: pageView('e1', 'u1', '/') },
              { advanceTimeTo: '12:00:03' },
              { expect: { realtime: [{ window: ['12:00:00', '12:00:05'], page_views_per_second: 0.2 }] } },
              { advanceTimeTo: '12:00:06' },
            ],
            expect: { realtime: [{ window: ['12:00:05', '12:00:10'], page_views_per_second: 0.2 }] },
          },
        ],
      }),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('realtime (so far): 1 missing');
    expect(run.stdout).toContain('- missing    window 12:00:00–12:00:05 {page_views_per_second: 0.2}');
    expect(run.stdout).toContain('+ unexpected window 12:00:00–12:00:05 {page_views_per_second: 0.2, active_users: 1}');
    expect(run.stdout).toMatch(/\n0 passed, 1 failed\n$/);
  });

  it('shows times for time columns and the tolerance for numbers', async () => {
    const late = caseNamed('checkout_abandoned fires 30 min after a checkout without conversion');
    (late.expect as { checkout_abandoned: object[] }).checkout_abandoned[0] = { alert: 'CHECKOUT_ABANDONED', key: 's1', time: '12:30:00' };
    const business = caseNamed('business metrics over the sliding 1 min window every 10 s');
    const businessRows = (business.expect as { business: { rows: { conversion_rate: number }[] } }).business.rows;
    (businessRows[2] as { conversion_rate: number }).conversion_rate = 49.9;
    const run = await flowc('test', WEBSITE, '--cases', casesFile('values.tests.json', { ...website, tests: [late, business] }));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('time: expected 12:30:00, actual 12:30:10  (later by 10s');
    expect(run.stdout).toContain('window 11:59:30–12:00:30');
    expect(run.stdout).toContain('conversion_rate: expected 49.9, actual 50  (off by 0.1, tolerance 0.01)');
  });
});

describe('test files that are wrong', () => {
  it('exits 2 and points at the line of each mistake', async () => {
    const text = `{
  "base": "2024-01-01T12:00:00Z",
  "tests": [
    {
      "name": "typos",
      "input": [
        { "at": "+5x", "value": { "eventId": "e1" } },
        { "source": "event", "value": {} },
        { "advanceTime": "5s", "watermark": "+1s" }
      ],
      "expect": {
        "realtme": [],
        "business": [{ "window": ["12:00:00", "12:01:00"], "conversion": 1 }]
      }
    }
  ]
}
`;
    const path = casesFile('typos.tests.json', text);
    const run = await flowc('test', WEBSITE, '--cases', path);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${path}:7:17: error: "at" must be a time`);
    expect(run.stderr).toContain(`${path}:8:21: error: pipeline website_analytics has no source \`event\`; did you mean \`events\`?`);
    expect(run.stderr).toContain(`${path}:9:9: error: a step does one thing`);
    expect(run.stderr).toContain(`${path}:12:9: error: pipeline website_analytics has no stream or sink \`realtme\`; did you mean \`realtime\`?`);
    expect(run.stderr).toContain(`${path}:13:60: error: no column \`conversion\` here`);
    expect(run.stderr).toContain('5 errors; no case was run');
  });

  it('reports invalid JSON at its position', async () => {
    const path = casesFile('comma.tests.json', '{\n  "tests": [\n    { "name": "x", },\n  ]\n}\n');
    const run = await flowc('test', WEBSITE, '--cases', path);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${path}:3:20: error: invalid JSON: trailing comma before \`}\``);
  });

  it('exits 2 without a cases file, or with a wrong command line', async () => {
    const lonely = join(work, 'lonely.flow');
    writeFileSync(lonely, readFileSync(join(repo, WEBSITE), 'utf8'));
    const missing = await flowc('test', lonely);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`no test cases for ${lonely}: ${join(work, 'lonely.tests.json')} does not exist`);
    const noCases = await flowc('test', WEBSITE, '--cases', join(work, 'absent.tests.json'));
    expect(noCases.code).toBe(2);
    expect(noCases.stderr).toContain('cannot read');
    expect((await flowc('test')).code).toBe(2);
    expect((await flowc('test', WEBSITE, '--frobnicate')).code).toBe(2);
  });
});

describe('a pipeline that does not compile', () => {
  it('exits 1 with its diagnostics and runs nothing', async () => {
    const broken = join(work, 'broken.flow');
    writeFileSync(broken, 'schema A { x: int }\nsource a: A from kafka(topic: "a")\nstream b = a where y > 1\nemit b to log()\n');
    writeFileSync(join(work, 'broken.tests.json'), JSON.stringify({ tests: [{ name: 'never runs', expect: { b: [] } }] }));
    const run = await flowc('test', broken);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('error[');
    expect(run.stderr).toContain('not compiled, so not tested');
    expect(run.stdout).toBe('');
  });
});

describe('skip and only', () => {
  const passing = { name: 'passes', expect: { sessions: [] } };
  // Without --ci, the CI variable decides; these cases pin it.
  beforeEach(() => {
    vi.stubEnv('CI', '');
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('counts a skipped case as failed', async () => {
    const run = await flowc('test', WEBSITE, '--cases', casesFile('skip.tests.json', { tests: [passing, { ...passing, name: 'skipped', skip: true }] }));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('○ skipped — skipped');
    expect(run.stdout).toMatch(/\n1 passed, 1 failed\n$/);
  });

  it('runs only the focused cases locally, counting the others as failed', async () => {
    const run = await flowc('test', WEBSITE, '--cases', casesFile('only.tests.json', { tests: [{ ...passing, only: true }, { ...passing, name: 'other' }] }));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('  ✓ passes');
    expect(run.stdout).toContain('○ other — not run');
    expect(run.stdout).toMatch(/\n1 passed, 1 failed\n$/);
  });

  it('fails a focused case in CI, whether told by --ci or by $CI', async () => {
    vi.stubEnv('CI', 'true');
    const byEnv = await flowc('test', WEBSITE, '--cases', casesFile('only-env.tests.json', { tests: [{ ...passing, only: true }] }));
    expect(byEnv.code).toBe(1);
    expect(byEnv.stdout).toContain('"only" is not allowed in CI');
    vi.stubEnv('CI', '');
    const run = await flowc('test', WEBSITE, '--ci', '--cases', casesFile('only-ci.tests.json', { tests: [{ ...passing, only: true }, { ...passing, name: 'other' }] }));
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('"only" is not allowed in CI');
    expect(run.stdout).toMatch(/\n1 passed, 1 failed\n$/);
  });
});

describe('times and positions', () => {
  it('reads relative, clock and ISO times and durations', () => {
    expect(parseTimeText('+5s', BASE)).toBe(BASE + 5000);
    expect(parseTimeText('-1m30s', BASE)).toBe(BASE - 90_000);
    expect(parseTimeText('12:00:05.250', BASE)).toBe(BASE + 5250);
    expect(parseTimeText('13:00', BASE)).toBe(BASE + 3_600_000);
    expect(parseTimeText('2024-01-01T12:00:05Z', BASE)).toBe(BASE + 5000);
    expect(parseTimeText('5s', BASE)).toBeNull();
    expect(parseTimeText('25:00:00', BASE)).toBeNull();
    expect(parseDurationText('1h30m')).toBe(5_400_000);
    expect(parseDurationText('250ms')).toBe(250);
    expect(parseDurationText('30s1m')).toBeNull();
    expect(formatTime(BASE + 5250, BASE)).toBe('12:00:05.250');
    expect(formatTime(BASE + 86_400_000, BASE)).toBe('2024-01-02T12:00:00Z');
  });

  it('keeps the line and column of every JSON value', () => {
    const node = parseJson('{\n  "a": [1,\n    {"b": true}]\n}');
    expect(node.kind).toBe('object');
    const a = node.kind === 'object' ? node.entries[0] : undefined;
    expect(a?.keyLoc).toEqual({ line: 2, column: 3 });
    const inner = a?.value.kind === 'array' ? a.value.items[1] : undefined;
    expect(inner?.loc).toEqual({ line: 3, column: 5 });
    expect(() => parseJson('{"a": 1, "a": 2}')).toThrow('duplicate key "a"');
  });
});

describe('early firings', () => {
  it('a two-phase global aggregate fires early on the same tick as a keyed one', async () => {
    const run = await flowc('test', 'cli/test/fixtures/early-firing.flow');
    expect(run.stdout).toContain('1 passed, 0 failed');
    expect(run.code).toBe(0);
  });
});

describe('session boundaries', () => {
  it('match Flink: one gap apart is one session, touching sessions merge, a merged-away row is deleted', async () => {
    const run = await flowc('test', 'cli/test/fixtures/session-boundaries.flow');
    expect(run.stdout).toContain('4 passed, 0 failed');
    expect(run.code).toBe(0);
  });
});
