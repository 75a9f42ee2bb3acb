// The flowc CLI, run in-process against real files in a temporary folder.
import { cpSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/main.ts';
import type { CliIO } from '../src/io.ts';

const repo = new URL('../../', import.meta.url).pathname;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function flowc(cwd: string, ...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIO = { cwd, stdout: (t) => (stdout += `${t}\n`), stderr: (t) => (stderr += `${t}\n`) };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

let work = '';
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'flowc-cli-'));
  cpSync(join(repo, 'pipelines'), join(work, 'pipelines'), { recursive: true });
});

const threeErrors = `pipeline broken
schema Click {
  userId: string
  at: timestamp
  count: int
}
source clicks: Click from kafka(topic: "clicks") {
  event time at watermark 5s
}
stream a = clicks where userID == "x"
stream b = clicks where count == "many"
aggregate c from clicks {
  window tumbling 5s
  n count()
}
`;

describe('flowc check', () => {
  it('accepts the website-analytics pipeline', async () => {
    const run = await flowc(work, 'check', 'pipelines/website-analytics.flow');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ok (0 errors');
  });

  it('reports a syntax error, an unknown field and a type mismatch in one run, with carets', async () => {
    writeFileSync(join(work, 'three.flow'), threeErrors);
    const run = await flowc(work, 'check', 'three.flow');
    expect(run.code).toBe(1);
    const headers = run.stderr.split('\n').filter((l) => /^three\.flow:\d+:\d+: error\[/.test(l));
    const lines = headers.map((h) => Number(h.split(':')[1]));
    expect(lines).toEqual(expect.arrayContaining([10, 11, 14]));
    expect(run.stderr).toMatch(/three\.flow:10:\d+: error\[field_unknown\]/);
    expect(run.stderr).toContain('did you mean `userId`?');
    expect(run.stderr).toMatch(/\n\s+\|\s+\^+/);
  });

  it('gives the same diagnostics as JSON', async () => {
    writeFileSync(join(work, 'three.flow'), threeErrors);
    const run = await flowc(work, 'check', 'three.flow', '--format', 'json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as { errorCount: number; diagnostics: { code: string; start: { line: number } }[] };
    expect(report.errorCount).toBeGreaterThanOrEqual(3);
    expect(report.diagnostics.find((d) => d.code === 'field_unknown')?.start.line).toBe(10);
  });

  it('exits 2 on usage errors', async () => {
    expect((await flowc(work, 'check')).code).toBe(2);
    expect((await flowc(work, 'frobnicate')).code).toBe(2);
    expect((await flowc(work, 'check', 'pipelines/website-analytics.flow', '--format', 'yaml')).code).toBe(2);
    expect((await flowc(work, 'check', 'missing.flow')).code).toBe(2);
  });
});

describe('flowc compile', () => {
  it('is deterministic and --check notices hand edits and stale output', async () => {
    const first = await flowc(work, 'compile', 'pipelines/website-analytics.flow', '--out', 'gen1');
    expect(first.code).toBe(0);
    await flowc(work, 'compile', 'pipelines/website-analytics.flow', '--out', 'gen2');
    const files = readdirSync(join(work, 'gen1', 'website-analytics'), { recursive: true }).map(String).sort();
    expect(files.length).toBeGreaterThan(2);
    for (const f of files) {
      if (f.endsWith('.ts')) {
        expect(readFileSync(join(work, 'gen2', 'website-analytics', f), 'utf8')).toBe(
          readFileSync(join(work, 'gen1', 'website-analytics', f), 'utf8'),
        );
      }
    }
    expect((await flowc(work, 'compile', '--check', 'pipelines/website-analytics.flow', '--out', 'gen1')).code).toBe(0);

    const edited = join(work, 'gen1', 'website-analytics', 'types.ts');
    writeFileSync(edited, `${readFileSync(edited, 'utf8')}\n// edited by hand\n`);
    const stale = await flowc(work, 'compile', '--check', 'pipelines/website-analytics.flow', '--out', 'gen1');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('changed');

    const source = join(work, 'pipelines', 'website-analytics.flow');
    writeFileSync(source, `${readFileSync(source, 'utf8')}\n// a comment changes the source hash\n`);
    const afterEdit = await flowc(work, 'compile', '--check', 'pipelines/website-analytics.flow', '--out', 'gen2');
    expect(afterEdit.code).toBe(1);
  });
});

describe('flowc explain', () => {
  it('prints the plan as text and mermaid', async () => {
    const text = await flowc(work, 'explain', 'pipelines/website-analytics.flow');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('repartition');
    const mermaid = await flowc(work, 'explain', 'pipelines/website-analytics.flow', '--format', 'mermaid');
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout.startsWith('flowchart')).toBe(true);
  });
});

describe('the flowc bin', () => {
  it('runs from a shell with npx semantics', () => {
    const out = execFileSync(process.execPath, [join(repo, 'bin', 'flowc.js'), '--version'], { encoding: 'utf8' });
    expect(out.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
