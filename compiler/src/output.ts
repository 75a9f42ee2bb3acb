// Writing generated/<pipeline>/ and checking that a committed copy is up to date.
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { EmittedFile } from './phases/4-emit/index.ts';

/** One way a generated directory differs from what the compiler emits now. */
export interface GeneratedDrift {
  readonly path: string;
  readonly kind: 'missing' | 'changed' | 'extra';
}

/** Replaces `dir` with exactly `files` (files left from an earlier compile are removed). */
export function writeGenerated(dir: string, files: readonly EmittedFile[]): void {
  const wanted = new Set(files.map((f) => f.path));
  for (const existing of listFiles(dir)) {
    if (!wanted.has(existing)) rmSync(join(dir, existing));
  }
  for (const file of files) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    if (readOrNull(target) !== file.content) writeFileSync(target, file.content);
  }
}

/** What would change if `files` were written to `dir`; empty when `dir` is up to date. */
export function checkGenerated(dir: string, files: readonly EmittedFile[]): GeneratedDrift[] {
  const drift: GeneratedDrift[] = [];
  const wanted = new Set(files.map((f) => f.path));
  for (const file of files) {
    const current = readOrNull(join(dir, file.path));
    if (current === null) drift.push({ path: file.path, kind: 'missing' });
    else if (current !== file.content) drift.push({ path: file.path, kind: 'changed' });
  }
  for (const existing of listFiles(dir)) {
    if (!wanted.has(existing)) drift.push({ path: existing, kind: 'extra' });
  }
  return drift.sort((a, b) => a.path.localeCompare(b.path));
}

function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (current: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(current);
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out.push(relative(dir, path));
    }
  };
  walk(dir);
  return out.sort();
}

function readOrNull(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
