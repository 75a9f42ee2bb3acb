// The options of `flowc run`, parsed and checked (bad values are usage errors: exit 2).
import { parseArgs, stringOption, UsageError, type ParsedArgs } from '../args.ts';

export interface RunOptions {
  readonly file: string;
  /** Records per second of the simulator; `Infinity`: as fast as the pipeline takes them. */
  readonly rate: number;
  /** Whether `--rate` was given (it then overrides a `simulator(rate: …)` connector). */
  readonly rateGiven: boolean;
  /** Stop by itself after this long; `null`: run until interrupted (or until bounded input ends). */
  readonly durationMs: number | null;
  readonly seed: number;
  readonly seedGiven: boolean;
  /** `--from`: source name (or `*` for every source the simulator would feed) → JSON-lines file. */
  readonly from: ReadonlyMap<string, string>;
  readonly out: string | null;
  readonly malformed: number;
  readonly late: number;
  readonly outOfOrder: number;
  readonly port: number;
  readonly host: string;
  /** `null`: the default, `.flowc/state/<name>` (or `<name>-replay` with `--from`). */
  readonly stateDir: string | null;
  readonly checkpointIntervalMs: number;
  readonly fresh: boolean;
  readonly verbose: boolean;
  /**
   * `--backfill`: event time the simulator fills in before now on a fresh state dir, appended at
   * once so that event-time panels have history from the start (a topic that already holds data);
   * 0: start empty. Default 5m.
   */
  readonly backfillMs: number;
  /** `--token` (or FLOWC_DASHBOARD_TOKEN): a bearer token the dashboard's WebSocket and /api/* require; `null`: none. */
  readonly token: string | null;
  /** `--allow-origin a,b`: browser origins allowed besides the page's own; `['*']`: any. */
  readonly allowOrigins: readonly string[];
}

const VALUED = new Set(['rate', 'duration', 'seed', 'from', 'out', 'malformed', 'late', 'out-of-order', 'port', 'host', 'state-dir', 'checkpoint-interval', 'backfill', 'token', 'allow-origin']);
const BOOLEANS = new Set(['fresh', 'verbose']);

export function parseRunOptions(argv: readonly string[], env: Readonly<Record<string, string | undefined>> = process.env): RunOptions {
  const args = parseArgs(argv, VALUED, BOOLEANS);
  const [file, ...rest] = args.positionals;
  if (file === undefined || rest.length > 0) throw new UsageError('run takes exactly one .flow file');
  const rateText = stringOption(args, 'rate', '200');
  const rate = rateText === 'max' ? Number.POSITIVE_INFINITY : Number(rateText);
  if (!(rate > 0) || (rateText !== 'max' && !Number.isFinite(rate))) throw new UsageError(`--rate takes events per second (> 0) or \`max\`; got \`${rateText}\``);
  const durationText = args.options.get('duration');
  const durationMs = typeof durationText === 'string' ? parseDuration('duration', durationText) : null;
  const seedText = stringOption(args, 'seed', '42');
  const seed = Number(seedText);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new UsageError(`--seed takes a non-negative integer; got \`${seedText}\``);
  const port = Number(stringOption(args, 'port', '8080'));
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes 0 … 65535 (0: a free port); got \`${stringOption(args, 'port', '')}\``);
  const checkpointIntervalMs = parseDuration('checkpoint-interval', stringOption(args, 'checkpoint-interval', '5s'));
  if (checkpointIntervalMs < 100) throw new UsageError('--checkpoint-interval must be at least 100ms');
  const malformed = fraction(args, 'malformed');
  const late = fraction(args, 'late');
  const outOfOrder = fraction(args, 'out-of-order');
  if (malformed >= 1) throw new UsageError('--malformed must be below 1 (malformed records are damaged copies of good ones)');
  if (late + outOfOrder >= 1) throw new UsageError('--late + --out-of-order must be below 1');
  const out = args.options.get('out');
  const stateDir = args.options.get('state-dir');
  const backfillText = stringOption(args, 'backfill', '5m');
  const backfillMs = backfillText === '0' ? 0 : parseDuration('backfill', backfillText);
  const tokenText = args.options.get('token');
  const token = typeof tokenText === 'string' ? tokenText : (env.FLOWC_DASHBOARD_TOKEN || null);
  if (token !== null && !/^[\x21-\x7e]{8,}$/.test(token)) throw new UsageError('--token takes at least 8 printable characters without spaces');
  const originText = args.options.get('allow-origin');
  const allowOrigins = typeof originText === 'string' ? originText.split(',').map((o) => o.trim()).filter((o) => o !== '') : [];
  for (const origin of allowOrigins) {
    if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) throw new UsageError(`--allow-origin takes origins such as https://wall.example.com (or *); got \`${origin}\``);
  }
  return {
    file,
    rate,
    rateGiven: args.options.has('rate'),
    durationMs,
    seed,
    seedGiven: args.options.has('seed'),
    from: parseFrom(args),
    out: typeof out === 'string' ? out : null,
    malformed,
    late,
    outOfOrder,
    port,
    host: stringOption(args, 'host', '127.0.0.1'),
    stateDir: typeof stateDir === 'string' ? stateDir : null,
    checkpointIntervalMs,
    fresh: args.options.get('fresh') === true,
    verbose: args.options.get('verbose') === true,
    backfillMs,
    token,
    allowOrigins,
  };
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** `20s`, `1.5m`, `500ms`, `2h`; a bare number is seconds. */
export function parseDuration(option: string, text: string): number {
  const match = DURATION.exec(text.trim());
  if (match === null) throw new UsageError(`--${option} takes a duration such as 20s, 5m, 500ms or 1h; got \`${text}\``);
  const ms = Number(match[1]) * (UNIT_MS[match[2] ?? 's'] as number);
  if (!(ms > 0)) throw new UsageError(`--${option} must be longer than 0`);
  return ms;
}

function fraction(args: ParsedArgs, name: string): number {
  const text = stringOption(args, name, '0');
  const value = Number(text);
  if (!(value >= 0 && value <= 1)) throw new UsageError(`--${name} takes a fraction between 0 and 1 (0.05 = 5 %); got \`${text}\``);
  return value;
}

/** `--from events.jsonl` (every simulated source) or `--from eu=eu.jsonl,logins=logins.jsonl`. */
function parseFrom(args: ParsedArgs): Map<string, string> {
  const text = args.options.get('from');
  const out = new Map<string, string>();
  if (typeof text !== 'string') return out;
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    const [name, path] = eq > 0 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(part.slice(0, eq)) ? [part.slice(0, eq), part.slice(eq + 1)] : ['*', part];
    if (path === '') throw new UsageError(`--from takes file.jsonl or source=file.jsonl[,source=file.jsonl]; got \`${text}\``);
    if (out.has(name)) throw new UsageError(`--from names ${name === '*' ? 'a file for every source' : `source ${name}`} twice`);
    out.set(name, path);
  }
  return out;
}
