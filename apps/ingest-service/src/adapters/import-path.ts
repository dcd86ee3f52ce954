import { access, constants, realpath, stat } from 'node:fs/promises';
import { sep } from 'node:path';
import type { UserError } from '../application/import-jobs';

/**
 * Server-side imports read only regular files inside the configured roots, so the mutation cannot
 * be used to read arbitrary files of the host.
 */
export function importPathChecker(roots: readonly string[]): (path: string) => Promise<UserError | null> {
  return async (path) => {
    let real: string;
    try {
      real = await realpath(path);
      await access(real, constants.R_OK);
    } catch {
      return { field: ['path'], code: 'FILE_NOT_READABLE', message: `cannot read ${path}: no such file, or no permission` };
    }
    if (!(await stat(real)).isFile()) return { field: ['path'], code: 'NOT_A_FILE', message: `${path} is not a regular file` };
    const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => root)));
    if (!realRoots.some((root) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep))) {
      return { field: ['path'], code: 'PATH_NOT_ALLOWED', message: `${path} is outside the import folders (SEG_IMPORT_ROOTS)` };
    }
    return null;
  };
}
