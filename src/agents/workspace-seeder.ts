// Creates an agent folder from the embedded template and keeps its skills snapshot current.
import { lstatSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readAgentTextFile, writeGuardedFile } from '../security';
import { guardPath } from '../security';
import { adoptFolderOwner } from '../shared/folder-owner';
import { NotRegularFileError, readRegularFile } from '../shared/regular-file';
import { BUILTIN_SKILLS, CORE_TEMPLATE_FILES, WORKSPACE_TEMPLATE } from './embedded-assets';
import { renderSkillsSnapshot, scanAgentSkills, scanSkills } from './skills';

const AGENT_FOLDERS = ['workspace', 'memory', 'knowledge', 'skills', 'storage'];

/**
 * Writes `content` at `path` when nothing is there. Anything already at the name counts as present, a link
 * included even when its target is gone (`existsSync` follows links, so the exclusive open used to fail EEXIST).
 */
function writeIfMissing(path: string, content: string): boolean {
  if (lstatSync(path, { throwIfNoEntry: false })) return false;
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, content, { flag: 'wx' });
  } catch (error) {
    // Another replica on the shared folder wrote it between the look and the write: it is present.
    if ((error as { code?: string }).code === 'EEXIST') return false;
    throw error;
  }
  adoptFolderOwner(dirname(path), { path });
  return true;
}

/** A link whose target is missing (or a loop of links), which the server neither follows nor replaces. */
function isDanglingLink(path: string): boolean {
  if (!lstatSync(path, { throwIfNoEntry: false })?.isSymbolicLink()) return false;
  try {
    return !statSync(path, { throwIfNoEntry: false });
  } catch {
    // ELOOP and the like: the link leads nowhere readable either.
    return true;
  }
}

/** Copies every built-in skill file that `skillsDir` does not have yet. */
export function seedBuiltinSkills(skillsDir: string): void {
  for (const [relative, content] of Object.entries(BUILTIN_SKILLS)) writeIfMissing(join(skillsDir, relative), content);
}

/**
 * Copies the files of `fromDir`'s skills that `toDir` lacks (one level of skill folders, SKILL.md files). A SKILL.md
 * that stopped being a regular file since the scan (a FIFO swapped in) is skipped, as the scan skips one, never waited on.
 */
function copyMissingSkills(fromDir: string, toDir: string): void {
  for (const skill of scanSkills(fromDir)) {
    const relative = skill.location.replace(/^\.\/skills\//, '');
    let text: string;
    try {
      text = readRegularFile(join(fromDir, relative));
    } catch (error) {
      if (error instanceof NotRegularFileError) continue;
      throw error;
    }
    writeIfMissing(join(toDir, relative), text);
  }
}

/** Seeds a brand-new agent folder: template files, folders, skills from the shared library, snapshot. */
export function seedNewAgent(agentRoot: string, sharedSkillsDir: string): void {
  for (const folder of AGENT_FOLDERS) mkdirSync(join(agentRoot, folder), { recursive: true });
  for (const [relative, content] of Object.entries(WORKSPACE_TEMPLATE))
    writeIfMissing(join(agentRoot, relative), content);
  writeIfMissing(join(agentRoot, 'config.json'), '{}\n');
  copyMissingSkills(sharedSkillsDir, join(agentRoot, 'skills'));
  refreshSkillsSnapshot(agentRoot);
}

/** What start-up repair did to one agent folder; each file is repaired on its own, so one failure stops no other. */
export interface RepairOutcome {
  /** Core files (and `config.json`) recreated because nothing was at their name. */
  repaired: string[];
  /** Areas that are a link or a file instead of a folder: left untouched, nothing written through them. */
  skipped: string[];
  /** Core files that are links to nothing: they count as present and are left alone. */
  dangling: string[];
  /** Files or folders whose repair failed, with the reason. */
  failed: { file: string; error: unknown }[];
}

/**
 * Start-up repair: recreates missing folders and core files. BOOTSTRAP.md and skills are left alone.
 * An area the agent replaced with a link or a file is left as it is (and reported): the server never
 * writes through it. A core file that is a dangling link is present too (reported, not replaced). Each
 * folder, file and the skills snapshot is repaired independently; a failure is returned, never thrown.
 */
export function repairAgent(agentRoot: string): RepairOutcome {
  const outcome: RepairOutcome = { repaired: [], skipped: [], dangling: [], failed: [] };
  const attempt = (file: string, repair: () => void) => {
    try {
      repair();
    } catch (error) {
      outcome.failed.push({ file, error });
    }
  };
  const usable = new Set<string>();
  for (const folder of AGENT_FOLDERS) {
    attempt(folder, () => {
      const stat = lstatSync(join(agentRoot, folder), { throwIfNoEntry: false });
      if (!stat) mkdirSync(join(agentRoot, folder));
      else if (!stat.isDirectory()) {
        outcome.skipped.push(folder);
        return;
      }
      usable.add(folder);
    });
  }
  for (const relative of [...CORE_TEMPLATE_FILES, 'config.json']) {
    if (relative.includes('/') && !usable.has(relative.split('/')[0]!)) continue;
    attempt(relative, () => {
      const path = join(agentRoot, relative);
      if (writeIfMissing(path, WORKSPACE_TEMPLATE[relative] ?? '{}\n')) outcome.repaired.push(relative);
      else if (isDanglingLink(path)) outcome.dangling.push(relative);
    });
  }
  attempt('SKILLS_SNAPSHOT.md', () => refreshSkillsSnapshot(agentRoot));
  return outcome;
}

/**
 * Rewrites `SKILLS_SNAPSHOT.md` from the agent's own `skills/` folder when its text would change. The
 * current file is read through the guarded path (a FIFO or link the agent planted there is not read,
 * which would block or leak); anything unreadable is simply replaced.
 */
export function refreshSkillsSnapshot(agentRoot: string): void {
  const text = renderSkillsSnapshot(scanAgentSkills(agentRoot));
  let current: string | null = null;
  try {
    current = readAgentTextFile(agentRoot, 'SKILLS_SNAPSHOT.md');
  } catch {
    // Missing or refused: treated as absent, so a fresh snapshot is written.
    current = null;
  }
  if (current === text) return;
  const guarded = guardPath(agentRoot, 'SKILLS_SNAPSHOT.md');
  writeGuardedFile(guarded.absolute, text, 'SKILLS_SNAPSHOT.md');
}
