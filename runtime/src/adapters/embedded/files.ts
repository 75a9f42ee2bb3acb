// Small file helpers shared by the embedded adapters.
import { closeSync, fsyncSync, openSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { syncDirectory } from './segments.ts';

let tempCounter = 0;

/** A temporary file name beside `path`, unique within this process. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${++tempCounter}.tmp`);
}

/**
 * Replaces `path` with `data` atomically: writes a temporary file in the same directory, fsyncs it
 * (when `fsync`), renames it over `path`, and fsyncs the directory. A reader sees the old content
 * or the new one, never a mix, and a crash leaves at worst a stray temporary file.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array, fsync = true): Promise<void> {
  const temp = tempPathFor(path);
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(data);
    if (fsync) await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  if (fsync) await syncDirectory(dirname(path));
}

/** Whether an error is Node's "no such file or directory". */
export function isNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && (error as { code: unknown }).code === 'ENOENT';
}

/** `syncDirectory`, synchronously. */
export function syncDirectorySync(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // As in syncDirectory: not supported everywhere.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
