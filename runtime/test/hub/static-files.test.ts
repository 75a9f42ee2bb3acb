// The built dashboard from a directory: index.html, hashed assets, content types, cache headers,
// the client-side route fallback, no way out of the directory; and the minimal page without one.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeHubs, rawGet, startHub } from './support.ts';

afterEach(closeHubs);

const SECRET = 'secret-outside-the-dashboard';
const INDEX = '<!doctype html><title>flowc dashboard</title><script type="module" src="/assets/index-3f2a9c.js"></script>';
let work = '';
let dist = '';

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'flowc-hub-static-'));
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: SECRET }));
  writeFileSync(join(work, 'secret.txt'), SECRET);
  dist = join(work, 'dist');
  mkdirSync(join(dist, 'assets'), { recursive: true });
  writeFileSync(join(dist, 'index.html'), INDEX);
  writeFileSync(join(dist, 'assets', 'index-3f2a9c.js'), 'console.log("dashboard");');
  writeFileSync(join(dist, 'assets', 'index-77aa01.css'), 'body{margin:0}');
  writeFileSync(join(dist, 'assets', 'inter-latin.woff2'), Buffer.from([0x77, 0x4f, 0x46, 0x32]));
  writeFileSync(join(dist, 'assets', 'logo-1b2c3d.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(dist, 'assets', 'chart-9e8d7c.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
  writeFileSync(join(dist, 'favicon.ico'), Buffer.from([0, 0, 1, 0]));
  writeFileSync(join(dist, 'manifest.json'), '{"name":"flowc"}');
  writeFileSync(join(dist, '.env'), SECRET);
  symlinkSync(join(work, 'secret.txt'), join(dist, 'assets', 'leak.txt'));
  mkdirSync(join(work, 'empty'));
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('with a built dashboard', () => {
  it('serves index.html at / (no-store) and its files with their content types; assets/ is immutable', async () => {
    const { url } = await startHub({ staticDir: dist });
    const index = await fetch(url);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-store');
    expect(await index.text()).toBe(INDEX);
    const cases: [string, string, string][] = [
      ['assets/index-3f2a9c.js', 'text/javascript; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['assets/index-77aa01.css', 'text/css; charset=utf-8', 'public, max-age=31536000, immutable'],
      ['assets/inter-latin.woff2', 'font/woff2', 'public, max-age=31536000, immutable'],
      ['assets/logo-1b2c3d.svg', 'image/svg+xml', 'public, max-age=31536000, immutable'],
      ['assets/chart-9e8d7c.png', 'image/png', 'public, max-age=31536000, immutable'],
      ['favicon.ico', 'image/x-icon', 'no-cache'],
      ['manifest.json', 'application/json; charset=utf-8', 'no-cache'],
      ['index.html', 'text/html; charset=utf-8', 'no-store'],
    ];
    for (const [path, type, cache] of cases) {
      const res = await fetch(`${url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe(type);
      expect(res.headers.get('cache-control'), path).toBe(cache);
      await res.arrayBuffer();
    }
    const head = await fetch(`${url}assets/index-3f2a9c.js`, { method: 'HEAD' });
    expect(head.headers.get('content-length')).toBe(String('console.log("dashboard");'.length));
    expect(await head.text()).toBe('');
  });

  it('answers unknown paths without an extension with index.html, and unknown files with 404', async () => {
    const { url } = await startHub({ staticDir: dist });
    const route = await fetch(`${url}metric/geography`);
    expect(route.status).toBe(200);
    expect(await route.text()).toBe(INDEX);
    expect((await fetch(`${url}assets/missing-000000.js`)).status).toBe(404);
    expect((await fetch(`${url}nope.png`)).status).toBe(404);
    // The hub's own paths are not the dashboard's.
    expect((await fetch(`${url}api/manifest`)).headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect((await fetch(`${url}api/nothing`)).status).toBe(404);
    expect((await fetch(`${url}healthz`)).status).toBe(200);
  });

  it('never serves a file outside the directory (.., encoded .., symbolic links) nor hidden files', async () => {
    const { port } = await startHub({ staticDir: dist });
    for (const path of [
      '/../package.json',
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fpackage.json',
      '/..%5csecret.txt',
      '/%00/secret.txt',
      '/assets/leak.txt',
      '/.env',
      '/assets/%2e%2e/.env',
    ]) {
      const res = await rawGet(port, path);
      expect(res.status, path).not.toBe(200);
      expect(res.body, path).not.toContain(SECRET);
    }
    expect((await rawGet(port, '/assets/..%2f..%2fsecret.txt')).status).toBe(403);
  });
});

describe('without a built dashboard', () => {
  it('serves the minimal v3 page at / (a directory without index.html, or none)', async () => {
    for (const staticDir of [join(work, 'empty'), join(work, 'does-not-exist'), null]) {
      const { url } = await startHub({ staticDir });
      const res = await fetch(url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const page = await res.text();
      expect(page).toContain('<script>');
      expect(page).toContain("type: 'subscribe', streams: '*'");
      expect(page).toContain('npm run build:dashboard');
      expect((await fetch(`${url}index.html`)).status).toBe(200);
      expect((await fetch(`${url}some/route`)).status).toBe(404);
      await closeHubs();
    }
  });
});
