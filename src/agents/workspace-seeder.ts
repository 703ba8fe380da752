// Creates an agent folder from the embedded template and keeps its skills snapshot current.
import { existsSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readAgentTextFile, writeGuardedFile } from '../security';
import { guardPath } from '../security';
import { adoptFolderOwner } from '../shared/folder-owner';
import { BUILTIN_SKILLS, CORE_TEMPLATE_FILES, WORKSPACE_TEMPLATE } from './embedded-assets';
import { renderSkillsSnapshot, scanAgentSkills, scanSkills } from './skills';

const AGENT_FOLDERS = ['workspace', 'memory', 'knowledge', 'skills', 'storage'];

function writeIfMissing(path: string, content: string): boolean {
  if (existsSync(path)) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { flag: 'wx' });
  adoptFolderOwner(dirname(path), { path });
  return true;
}

/** Copies every built-in skill file that `skillsDir` does not have yet. */
export function seedBuiltinSkills(skillsDir: string): void {
  for (const [relative, content] of Object.entries(BUILTIN_SKILLS)) writeIfMissing(join(skillsDir, relative), content);
}

/** Copies the files of `fromDir`'s skills that `toDir` lacks (one level of skill folders, SKILL.md files). */
function copyMissingSkills(fromDir: string, toDir: string): void {
  for (const skill of scanSkills(fromDir)) {
    const relative = skill.location.replace(/^\.\/skills\//, '');
    const source = join(fromDir, relative);
    writeIfMissing(join(toDir, relative), readFileSync(source, 'utf8'));
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

/**
 * Start-up repair: recreates missing folders and core files. BOOTSTRAP.md and skills are left alone.
 * An area the agent replaced with a link or a file is left as it is (and reported): the server never
 * writes through it.
 */
export function repairAgent(agentRoot: string): { repaired: string[]; skipped: string[] } {
  const skipped: string[] = [];
  const usable = new Set<string>();
  for (const folder of AGENT_FOLDERS) {
    const stat = lstatSync(join(agentRoot, folder), { throwIfNoEntry: false });
    if (!stat) mkdirSync(join(agentRoot, folder));
    else if (!stat.isDirectory()) {
      skipped.push(folder);
      continue;
    }
    usable.add(folder);
  }
  const repaired = CORE_TEMPLATE_FILES.filter(
    (relative) =>
      usable.has(relative.split('/')[0]!) && writeIfMissing(join(agentRoot, relative), WORKSPACE_TEMPLATE[relative]!),
  );
  if (writeIfMissing(join(agentRoot, 'config.json'), '{}\n')) repaired.push('config.json');
  refreshSkillsSnapshot(agentRoot);
  return { repaired, skipped };
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
