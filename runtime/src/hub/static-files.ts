// The built dashboard (`dashboard/dist`, Vite's output): `index.html` at `/`, its files by path.
//
//   index.html            no-store: a new build shows at the next load
//   assets/…              public, max-age=31536000, immutable: Vite names them by content hash
//   other files           no-cache (favicon.ico, manifest.json, …: revalidated)
//   unknown path, no extension   index.html (the dashboard's own routes, /metric/geography)
//   unknown path with extension  404
//
// Only files inside the directory are served: the path is decoded, resolved against the
// directory and refused (403) when it leaves it, also through a symbolic link; hidden files
// (a segment starting with `.`) are not served. The directory is looked at on every request, so
// building the dashboard while a pipeline runs takes effect at the next load.
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.wasm': 'application/wasm',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** What became of a request. */
export type StaticResult = 'served' | 'no-dashboard';

export class StaticFiles {
  private readonly root: string | null;

  constructor(dir: string | null) {
    this.root = dir === null ? null : resolve(dir);
  }

  /** The directory served, when one is configured. */
  get dir(): string | null {
    return this.root;
  }

  /** Whether the directory holds a built dashboard (an `index.html`). */
  async available(): Promise<boolean> {
    return this.root !== null && (await fileSize(join(this.root, 'index.html'))) !== null;
  }

  /**
   * Answers `pathname` (as in the request URL, still percent-encoded) from the directory:
   * `no-dashboard` when there is none (the caller serves its fallback), else `served` (a file,
   * index.html, or a 400 / 403 / 404).
   */
  async serve(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<StaticResult> {
    const root = this.root;
    if (root === null) return 'no-dashboard';
    const index = join(root, 'index.html');
    const indexSize = await fileSize(index);
    if (indexSize === null) return 'no-dashboard';
    let path: string;
    try {
      path = decodeURIComponent(pathname);
    } catch {
      sendText(res, 400, 'bad path encoding');
      return 'served';
    }
    if (path === '/' || path === '/index.html') {
      sendFile(req, res, index, indexSize, 'no-store');
      return 'served';
    }
    if (path.includes('\0') || path.includes('\\')) {
      sendText(res, 400, 'bad path');
      return 'served';
    }
    const file = resolve(root, `.${path}`);
    if (!inside(root, file)) {
      sendText(res, 403, 'outside the dashboard');
      return 'served';
    }
    const relative = file.slice(root.length + 1);
    if (relative.split(sep).some((segment) => segment.startsWith('.'))) {
      sendText(res, 404, 'not found');
      return 'served';
    }
    const size = await fileSize(file);
    if (size !== null) {
      // A symbolic link inside the directory may point out of it.
      const real = await realpath(file);
      if (!inside(await realpath(root), real)) {
        sendText(res, 403, 'outside the dashboard');
        return 'served';
      }
      const cache = relative.startsWith(`assets${sep}`) ? IMMUTABLE : relative === 'index.html' ? 'no-store' : 'no-cache';
      sendFile(req, res, file, size, cache);
      return 'served';
    }
    if (extname(path) === '') {
      sendFile(req, res, index, indexSize, 'no-store');
      return 'served';
    }
    sendText(res, 404, 'not found');
    return 'served';
  }
}

function inside(root: string, file: string): boolean {
  return file === root || file.startsWith(root.endsWith(sep) ? root : `${root}${sep}`);
}

/** The size of a regular file, `null` when there is none. */
async function fileSize(path: string): Promise<number | null> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : null;
  } catch {
    return null;
  }
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, size: number, cacheControl: string): void {
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
    'content-length': size,
    'cache-control': cacheControl,
    'x-content-type-options': 'nosniff',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(res.req.method === 'HEAD' ? undefined : `${text}\n`);
}
