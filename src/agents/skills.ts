// Skill discovery: SKILL.md front matter, the skills list and the SKILLS_SNAPSHOT.md text.
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAgentTextFile } from '../security';
import { isRealFolder } from '../shared/walk-files';

export interface SkillMeta {
  name: string;
  description: string;
  location: string;
}

/** Reads `---`-delimited front matter; returns {} when absent or unreadable, never throws. */
export function parseFrontMatter(text: string): Record<string, string> {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== '---') return {};
  const end = lines.findIndex((line, index) => index > 0 && line.trim() === '---');
  if (end < 0) return {};
  const block = lines.slice(1, end).join('\n');
  try {
    const parsed: unknown = Bun.YAML.parse(block);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.fromEntries(
        Object.entries(parsed as Record<string, unknown>).map(([key, value]) => [
          key,
          typeof value === 'string' ? value : JSON.stringify(value),
        ]),
      );
    }
  } catch {
    // Not valid YAML: fall back to plain `key: value` lines below.
  }
  const result: Record<string, string> = {};
  for (const line of lines.slice(1, end)) {
    const colon = line.indexOf(':');
    if (colon > 0) result[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return result;
}

/** Lists `<skillsDir>/<folder>/SKILL.md`, sorted by folder. A missing folder gives []. */
export function scanSkills(
  skillsDir: string,
  read: (folder: string) => string = (folder) => readFileSync(join(skillsDir, folder, 'SKILL.md'), 'utf8'),
): SkillMeta[] {
  if (!existsSync(skillsDir)) return [];
  const skills: SkillMeta[] = [];
  for (const folder of readdirSync(skillsDir).sort()) {
    const file = join(skillsDir, folder, 'SKILL.md');
    try {
      // Real folders and files only: a link an agent planted could point anywhere on the host.
      if (!lstatSync(join(skillsDir, folder)).isDirectory() || !lstatSync(file).isFile()) continue;
    } catch {
      // Vanished or unreadable since the listing: not a skill.
      continue;
    }
    let text: string;
    try {
      text = read(folder);
    } catch {
      // Unreadable, or refused by the guard: left out, as a folder without SKILL.md is.
      continue;
    }
    const front = parseFrontMatter(text);
    skills.push({
      name: front.name?.trim() || folder,
      description: front.description?.trim() ?? '',
      location: `./skills/${folder}/SKILL.md`,
    });
  }
  return skills;
}

const escapeXml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The `<available_skills>` block agents read in their prompt. */
export function renderSkillsSnapshot(skills: readonly SkillMeta[]): string {
  const lines = ['<available_skills>'];
  for (const skill of skills) {
    lines.push(
      '  <skill>',
      `    <name>${escapeXml(skill.name)}</name>`,
      `    <description>${escapeXml(skill.description)}</description>`,
      `    <location>${escapeXml(skill.location)}</location>`,
      '  </skill>',
    );
  }
  lines.push('</available_skills>');
  return `${lines.join('\n')}\n`;
}

/**
 * The skills of one agent: its own `skills/` folder (what its prompt lists and the files API edits).
 * The folder must be a real folder of the agent, and each SKILL.md is read through the guarded path:
 * a link the agent planted (to another agent's skills, say) is never followed.
 */
export function scanAgentSkills(agentRoot: string): SkillMeta[] {
  const skillsDir = join(agentRoot, 'skills');
  if (!isRealFolder(skillsDir)) return [];
  return scanSkills(skillsDir, (folder) => readAgentTextFile(agentRoot, `skills/${folder}/SKILL.md`));
}
