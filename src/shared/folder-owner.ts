// Who owns what the server creates when it runs as root: the owner of the folder it lands in.
import { fchownSync, lchownSync, statSync } from 'node:fs';

/**
 * A file or folder the server just created (as `handle`, or at `path`, never followed if a link) takes the
 * owner of `folder`, its parent, when the server runs as root. Sandboxed tools run as an unprivileged uid that
 * owns the agent's areas; without this a file saved through the API would be root's and the agent could no
 * longer edit it. Elsewhere (root-owned folders, or a server that is not root) nothing changes.
 */
export function adoptFolderOwner(folder: string, target: { handle: number } | { path: string }): void {
  if (process.geteuid?.() !== 0) return;
  const { uid, gid } = statSync(folder);
  if (uid === 0 && gid === 0) return;
  if ('handle' in target) fchownSync(target.handle, uid, gid);
  else lchownSync(target.path, uid, gid);
}
