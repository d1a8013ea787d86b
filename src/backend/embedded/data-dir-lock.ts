import * as fs from 'node:fs';
import * as path from 'node:path';
import { StreamwrightError } from '../../errors/streamwright-error.js';

export const LOCK_FILE = '.lock';

/** Data directories this process holds, so a second open in the same process is refused too. */
const heldHere = new Set<string>();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function fileAgeBase(p: string): number {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
}

function lockedError(dir: string, pid: number | string): StreamwrightError {
  const lockPath = path.join(dir, LOCK_FILE);
  return new StreamwrightError(
    'LOG_LOCKED',
    `The embedded log at ${dir} is already open by process ${pid} (lock file ${lockPath}). ` +
      `Only one process may own a data directory: stop that process or close its backend first, or use another data directory. ` +
      `If process ${pid} is not a Streamwright process, delete ${lockPath}.`,
    { dataDir: dir, pid, lockFile: lockPath },
  );
}

/**
 * Takes the lock file `<dir>/.lock` holding our pid. A lock whose pid is alive (another process,
 * or this one with the directory open) is refused with LOG_LOCKED; a lock left by a dead process
 * is taken over. Returns the release function.
 */
export function acquireDataDirLock(dir: string): () => void {
  const real = fs.realpathSync(dir);
  if (heldHere.has(real)) throw lockedError(dir, process.pid);
  const lockPath = path.join(real, LOCK_FILE);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = fs.openSync(lockPath, 'wx');
      fs.writeSync(fd, `${process.pid}\n`);
      fs.fsyncSync(fd);
      fs.closeSync(fd);
      heldHere.add(real);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldHere.delete(real);
        try {
          if (fs.readFileSync(lockPath, 'utf8').trim() === String(process.pid)) fs.rmSync(lockPath, { force: true });
        } catch {
          // Already gone.
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    let owner = '';
    try {
      owner = fs.readFileSync(lockPath, 'utf8').trim();
    } catch {
      continue; // removed meanwhile; try again
    }
    const pid = Number(owner);
    // A just-created lock may not have its pid written yet: an empty file is held unless it is old
    // (then its creator died between creating and writing it).
    const emptyAndFresh = owner === '' && Date.now() - fileAgeBase(lockPath) < 10_000;
    if (emptyAndFresh || (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid))) {
      throw lockedError(dir, owner === '' ? 'unknown' : pid);
    }
    // Stale: left by a dead process (or by this pid in an earlier life). Take it over.
    fs.rmSync(lockPath, { force: true });
  }
  throw lockedError(dir, 'unknown');
}
