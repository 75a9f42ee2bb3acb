// Who may use the hub's data endpoints (`/ws`, `/api/*`).
//
// Origin: a request without an `Origin` header is not from a browser page (curl, a test, a
// server-side client) and is allowed; a browser page's `Origin` is allowed when its host is the
// request's `Host` (the hub's own page, or a dashboard served by it) or when it is listed in
// `allowedOrigins` (`*`: any). Otherwise 403: a page on another site cannot read the feed through
// the visitor's browser (WebSockets are not covered by the same-origin policy).
//
// Token: when one is set, `/ws` and `/api/*` need it, as `Authorization: Bearer <token>` or, since
// a browser cannot set headers on a WebSocket, as `?token=<token>`; otherwise 401. Compared in
// constant time (SHA-256 of both sides, then `timingSafeEqual`).
//
// `/`, the static dashboard files, `/healthz` and `/metrics` stay open: Prometheus scrapes
// `/metrics` without credentials (firewall it, or put the port behind a proxy, if its figures are
// sensitive), `/healthz` is for load balancers and orchestrators, and the page holds no data — it
// fetches everything through `/ws` with the token from its own URL.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export interface AccessOptions {
  /** Browser origins allowed besides the page's own (`https://wall.example.com`); `'*'` in the list: any. */
  readonly allowedOrigins?: readonly string[];
  /** A bearer token `/ws` and `/api/*` require; `null` / absent: none. */
  readonly token?: string | null;
}

export type AccessDecision =
  | {
      readonly ok: true;
      /** The request's origin when it is another site's page that is allowed (answer it with CORS headers). */
      readonly crossOrigin: string | null;
    }
  | { readonly ok: false; readonly status: 401 | 403; readonly reason: string };

export class AccessPolicy {
  private readonly anyOrigin: boolean;
  private readonly origins: ReadonlySet<string>;
  private readonly tokenHash: Buffer | null;

  constructor(options: AccessOptions = {}) {
    const listed = options.allowedOrigins ?? [];
    this.anyOrigin = listed.includes('*');
    this.origins = new Set(listed.filter((o) => o !== '*').map(normalizeOrigin));
    const token = options.token ?? null;
    if (token === '') throw new RangeError('the hub token must not be empty (null: no token)');
    this.tokenHash = token === null ? null : digest(token);
  }

  /** Whether `/ws` and `/api/*` need a token. */
  get tokenRequired(): boolean {
    return this.tokenHash !== null;
  }

  /** The origin check, then the token check. */
  check(req: IncomingMessage, url: URL): AccessDecision {
    const origin = this.checkOrigin(req);
    if (!origin.ok) return origin;
    if (!this.tokenValid(req, url)) {
      return { ok: false, status: 401, reason: 'a token is required: Authorization: Bearer <token>, or ?token=<token>' };
    }
    return origin;
  }

  /** The origin rule alone. */
  checkOrigin(req: IncomingMessage): AccessDecision {
    const header = req.headers.origin;
    if (header === undefined || header === '') return { ok: true, crossOrigin: null };
    const origin = normalizeOrigin(header);
    if (sameHost(origin, req.headers.host)) return { ok: true, crossOrigin: null };
    if (this.anyOrigin || this.origins.has(origin)) return { ok: true, crossOrigin: header };
    return { ok: false, status: 403, reason: `origin ${header} is not allowed (allowed: this page's own origin${this.origins.size > 0 ? `, ${[...this.origins].join(', ')}` : ''})` };
  }

  /** Whether the request carries the token (always true without one). */
  tokenValid(req: IncomingMessage, url: URL): boolean {
    if (this.tokenHash === null) return true;
    const given = bearer(req.headers.authorization) ?? url.searchParams.get('token');
    return given !== null && timingSafeEqual(digest(given), this.tokenHash);
  }
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

function bearer(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match === null ? null : (match[1] as string);
}

/** `scheme://host[:port]`, lower case, default port left out; the text itself when it is no URL (`null`). */
export function normalizeOrigin(text: string): string {
  try {
    const url = new URL(text);
    return url.host === '' ? text.toLowerCase() : `${url.protocol}//${url.host}`;
  } catch {
    return text.toLowerCase();
  }
}

function sameHost(origin: string, host: string | undefined): boolean {
  if (host === undefined || host === '') return false;
  try {
    return new URL(origin).host === new URL(`http://${host}`).host;
  } catch {
    return false;
  }
}
