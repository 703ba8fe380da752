// Creates an agent folder from the embedded template and keeps its skills snapshot current.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../shared/atomic-write';
import { BUILTIN_SKILLS, CORE_TEMPLATE_FILES, WORKSPACE_TEMPLATE } from './embedded-assets';
import { renderSkillsSnapshot, scanSkills } from './skills';

const AGENT_FOLDERS = ['workspace', 'memory', 'knowledge', 'skills', 'storage'];

function writeIfMissing(path: string, content: string): boolean {
  if (existsSync(path)) return false;
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content, { flag: 'wx' });
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
  for (const [relative, content] of Object.entries(WORKSPACE_TEMPLATE)) writeIfMissing(join(agentRoot, relative), content);
  writeIfMissing(join(agentRoot, 'config.json'), '{}\n');
  copyMissingSkills(sharedSkillsDir, join(agentRoot, 'skills'));
  refreshSkillsSnapshot(agentRoot);
}

/** Start-up repair: recreates missing folders and core files. BOOTSTRAP.md and skills are left alone. */
export function repairAgent(agentRoot: string): string[] {
  for (const folder of AGENT_FOLDERS) mkdirSync(join(agentRoot, folder), { recursive: true });
  const repaired = CORE_TEMPLATE_FILES.filter((relative) => writeIfMissing(join(agentRoot, relative), WORKSPACE_TEMPLATE[relative]!));
  if (writeIfMissing(join(agentRoot, 'config.json'), '{}\n')) repaired.push('config.json');
  refreshSkillsSnapshot(agentRoot);
  return repaired;
}

/** Rewrites `SKILLS_SNAPSHOT.md` from the agent's own `skills/` folder when its text would change. */
export function refreshSkillsSnapshot(agentRoot: string): void {
  const path = join(agentRoot, 'SKILLS_SNAPSHOT.md');
  const text = renderSkillsSnapshot(scanSkills(join(agentRoot, 'skills')));
  const current = existsSync(path) ? readFileSync(path, 'utf8') : null;
  if (current !== text) writeFileAtomic(path, text);
}
