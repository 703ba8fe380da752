// What a command argument names: system folders, the home or working folder, targets decided at run time.
import { posix } from 'node:path';

const TOP_LEVEL = new Set([
  '/bin',
  '/boot',
  '/dev',
  '/etc',
  '/home',
  '/lib',
  '/lib32',
  '/lib64',
  '/media',
  '/mnt',
  '/opt',
  '/proc',
  '/root',
  '/run',
  '/sbin',
  '/srv',
  '/sys',
  '/usr',
  '/var',
]);
const PROTECTED_WRITE = [
  '/etc',
  '/boot',
  '/usr',
  '/bin',
  '/sbin',
  '/lib',
  '/lib32',
  '/lib64',
  '/sys',
  '/proc',
  '/root',
  '/var/spool/cron',
  '/dev',
];
/** What `normalizeTarget` strips from the end, repeatedly; none is a suffix of another. */
const TRAILING_SUFFIXES = ['/.*', '/*', '/.', '/'];
const SAFE_DEVICES = /^\/dev\/(null|zero|stdout|stderr|stdin|tty|full|random|urandom|fd\/\d+|shm(\/.*)?)$/;

/** Normalises a path-ish argument: `~`/`${HOME}` become `$HOME`, dots and duplicate slashes collapse. */
export function normalizeTarget(text: string): string {
  let value = text
    .replace(/^~(?=\/|$)/, '$HOME')
    .replace(/^\$\{HOME\}/, '$HOME')
    .replace(/^"|"$/g, '');
  if (value.startsWith('/')) value = posix.normalize(value);
  // One index walks back over the suffixes: a regex replace per suffix is quadratic on `a//////…`.
  let end = value.length;
  while (end > 1) {
    const suffix = TRAILING_SUFFIXES.find((candidate) => value.endsWith(candidate, end));
    if (suffix === undefined) break;
    end -= suffix.length;
  }
  // Everything stripped (`/.`, `/*`) leaves the root; an empty argument stays empty.
  return end === 0 && value !== '' ? '/' : value.slice(0, end);
}

/** A target whose recursive removal or re-permissioning wrecks the system or the home folder. */
export function isDangerousTarget(text: string): boolean {
  const value = normalizeTarget(text);
  if (value === '/' || value === '/*' || (value === '' && text.startsWith('/'))) return true;
  if (TOP_LEVEL.has(value)) return true;
  if (value === '$HOME' || value.startsWith('$HOME/..')) return true;
  // `$DIR/` with an unset DIR is `/`: fail closed when nothing but a slash follows a variable.
  if (
    /^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)(\/\*?)?$/.test(text.replace(/^"|"$/g, '')) &&
    /\/\*?$/.test(text)
  )
    return true;
  if (value === '..' || value.startsWith('../')) return true;
  const raw = text.replace(/^"|"$/g, '');
  // The working folder itself (the agent's folder): `.`, `*`, `./*`.
  if (/^(\.\/?)?\*?$/.test(raw) && raw !== '') return true;
  // Targets decided at run time fail closed: a glob in the first segment (`/et?`, `/[e]tc`, `/{etc,usr}`),
  // a bare variable (`$D`), a command substitution (`$(echo /etc)`, backticks).
  if (/^\/[^/]*[*?[\]{]/.test(raw)) return true;
  if (/^\$(\{[A-Za-z_][A-Za-z0-9_]*\}|[A-Za-z_][A-Za-z0-9_]*)$/.test(raw)) return true;
  if (raw.includes('$(') || raw.includes('`')) return true;
  // Expansions with operators or positional parameters (`${D:-/etc}`, `$1`, `$@`) and other users' homes (`~root`, `~+`).
  // An unclosed `${` fails closed too. The test stops at the first non-name character: linear, where
  // `\$\{[^}]*[^A-Za-z0-9_}][^}]*\}` was cubic on `${${${…`.
  if (/\$\{[A-Za-z0-9_]*(?:[^A-Za-z0-9_}]|$)|\$[0-9@*#?!-]/.test(raw) || /^~[^/]/.test(raw)) return true;
  // A variable path climbing out (`$PWD/../*`), or the working folder through `$PWD`.
  if (/^\$/.test(raw) && /(^|\/)\.\.(\/|$)/.test(raw)) return true;
  if (/^\$\{?PWD\}?\/?\*?$/.test(raw)) return true;
  // A glob right under the top or a system folder (`/usr/?*`, `/usr/[a-z]*`).
  const glob = /[*?[\]{]/.exec(raw);
  if (raw.startsWith('/') && glob) {
    const parent = normalizeTarget(raw.slice(0, raw.lastIndexOf('/', glob.index)) || '/');
    if (parent === '/' || TOP_LEVEL.has(parent)) return true;
  }
  return false;
}

export function isProtectedWrite(text: string): boolean {
  const value = normalizeTarget(text);
  if (!value.startsWith('/')) return false;
  if (SAFE_DEVICES.test(value)) return false;
  return PROTECTED_WRITE.some((prefix) => value === prefix || value.startsWith(`${prefix}/`));
}
