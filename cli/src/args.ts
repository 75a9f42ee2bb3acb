// A small argv parser: positional arguments plus `--flag value` / `--flag=value` / boolean flags.
// Unknown flags are usage errors (exit 2), not silently ignored.

export interface ParsedArgs {
  readonly positionals: string[];
  readonly options: Map<string, string | true>;
}

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], valued: ReadonlySet<string>, booleans: ReadonlySet<string>): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    if (valued.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
      options.set(name, value);
    } else if (booleans.has(name) && eq === -1) {
      options.set(name, true);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positionals, options };
}

export function stringOption(args: ParsedArgs, name: string, fallback: string): string {
  const value = args.options.get(name);
  return typeof value === 'string' ? value : fallback;
}

export function choiceOption<T extends string>(args: ParsedArgs, name: string, choices: readonly T[], fallback: T): T {
  const value = stringOption(args, name, fallback);
  const match = choices.find((c) => c === value);
  if (match === undefined) throw new UsageError(`--${name} must be one of ${choices.join(', ')}; got \`${value}\``);
  return match;
}
