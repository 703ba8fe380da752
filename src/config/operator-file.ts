// Files an operator keeps and the server rewrites (`.env`, `config.json`): in place, keeping mode, owner and link.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { AppError } from '../shared/app-error';
import { resolveLinkTarget, writeFileAtomic } from '../shared/atomic-write';
import { readRegularFile } from '../shared/regular-file';

/**
 * Replaces the file at `path` (`name` in answers) by `content`, or by what it makes of the current text (`''` when
 * there is none; read only then). It keeps its mode and owner (an operator's 0600 file may hold secrets), and a link
 * there is written through to its target, as reads go through it (a target not made yet is created). Throws 503
 * `storage_unavailable` naming `name` when its link leads into a missing folder (an unmounted volume, say), else what
 * the file system throws (each caller says it as fits where its file lies); the file is then unchanged.
 */
export function rewriteOperatorFile(path: string, name: string, content: string | ((current: string) => string)): void {
  const target = resolveLinkTarget(path);
  if (target !== path && !existsSync(dirname(target)))
    throw new AppError('storage_unavailable', `Cannot write ${name}: the folder its link leads to does not exist`, {
      reason: 'link_target_missing',
      file: name,
    });
  const text = typeof content === 'string' ? content : content(existsSync(target) ? readRegularFile(target) : '');
  writeFileAtomic(target, text, { keepModeAndOwner: true });
}
