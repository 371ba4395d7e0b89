/**
 * Real full disks and real read-only folders for tests. Tests run as root, whom file permissions
 * do not stop, so these use what stops root too: a small tmpfs, a read-only bind mount, the
 * immutable attribute. Each returns why it could not be set up (no root, no CAP_SYS_ADMIN in a
 * container, a file system without attributes), for the test to skip with that note.
 */
import { execFileSync } from 'node:child_process';

function run(command: string, args: readonly string[]): string | null {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    return null;
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    return `${command} ${args.join(' ')}: ${stderr || (err as Error).message}`;
  }
}

/** A tmpfs of `size` (e.g. '512k') mounted on `dir`: a disk that fills up. */
export function mountTmpfs(dir: string, size: string): string | null {
  return run('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir]);
}

export function resizeTmpfs(dir: string, size: string): void {
  const failure = run('mount', ['-o', `remount,size=${size}`, dir]);
  if (failure) throw new Error(failure);
}

/** `dir` mounted read-only over itself: read-only media. */
export function mountReadOnly(dir: string): string | null {
  const bound = run('mount', ['--bind', dir, dir]);
  if (bound) return bound;
  const readOnly = run('mount', ['-o', 'remount,bind,ro', dir]);
  if (readOnly) unmount(dir);
  return readOnly;
}

/** Lazily, so that a test that failed with files still open there does not leave the mount behind. */
export function unmount(dir: string): void {
  run('umount', ['--lazy', dir]);
}

/** The immutable attribute on `dir` and everything in it, or off again. */
export function setImmutable(dir: string, immutable: boolean): string | null {
  return run('chattr', ['-R', immutable ? '+i' : '-i', dir]);
}
