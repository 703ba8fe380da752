// Skill discovery: SKILL.md front matter, the skills list and the SKILLS_SNAPSHOT.md text.
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readAgentTextFile } from '../security';
import { readRegularFile } from '../shared/regular-file';
import { isRealFolder } from '../shared/walk-files';

export interface SkillMeta {
  name: string;
  description: string;
  location: string;
}

/** Longest front matter read, `---` lines included; a longer one is ignored (a skill needs a name and a line or two). */
const MAX_FRONT_MATTER_CHARS = 16 * 1024;
/** The front-matter keys skills use; every other key is skipped unread. */
const SKILL_KEYS = ['name', 'description'] as const;
type SkillKey = (typeof SKILL_KEYS)[number];

const isSkillKey = (key: string): key is SkillKey => (SKILL_KEYS as readonly string[]).includes(key);

/**
 * Reads the `name` and `description` of `---`-delimited front matter; returns {} when absent, unclosed,
 * or longer than MAX_FRONT_MATTER_CHARS, never throws. The block is read as YAML; a string, number or
 * boolean value is kept as text (`42` gives "42"), a list or map is skipped, never stringified: the parser
 * shares what an alias names, but stringifying every value expanded a 100 KB file of aliases into gigabytes.
 * YAML that fails to parse is read as plain `key: value` lines instead (the contract's 500 on bad YAML is a
 * listed defect, not kept).
 */
export function parseFrontMatter(text: string): Partial<Record<SkillKey, string>> {
  const block = frontMatterBlock(text);
  if (block === undefined) return {};
  try {
    const parsed: unknown = Bun.YAML.parse(block);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return skillFields(parsed);
  } catch {
    // Not valid YAML (or aliased past the parser's limit): fall back to plain `key: value` lines below.
  }
  const result: Partial<Record<SkillKey, string>> = {};
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    const key = line.slice(0, colon).trim();
    if (colon > 0 && isSkillKey(key)) result[key] = line.slice(colon + 1).trim();
  }
  return result;
}

/** The lines between the opening and closing `---`, joined by `\n`, when both lie in the first MAX_FRONT_MATTER_CHARS. */
function frontMatterBlock(text: string): string | undefined {
  const head = text.slice(0, MAX_FRONT_MATTER_CHARS);
  const lines = head.split(/\r?\n/);
  // The last line of the head may be cut short (`---` of `----`): it counts only when the text breaks there.
  const next = text[head.length];
  if (next !== undefined && next !== '\n' && next !== '\r') lines.pop();
  if (lines[0]?.trim() !== '---') return undefined;
  const end = lines.findIndex((line, index) => index > 0 && line.trim() === '---');
  return end < 0 ? undefined : lines.slice(1, end).join('\n');
}

function skillFields(parsed: object): Partial<Record<SkillKey, string>> {
  const result: Partial<Record<SkillKey, string>> = {};
  for (const key of SKILL_KEYS) {
    if (!Object.hasOwn(parsed, key)) continue;
    const value: unknown = (parsed as Record<string, unknown>)[key];
    if (typeof value === 'string') result[key] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') result[key] = String(value);
  }
  return result;
}

/**
 * Lists `<skillsDir>/<folder>/SKILL.md`, sorted by folder. A missing folder gives []. Anything but a regular file
 * there is left out: checked by name first, and by the default reader on the open file (a FIFO swapped in between
 * would otherwise block the whole process on its open).
 */
export function scanSkills(
  skillsDir: string,
  read: (folder: string) => string = (folder) => readRegularFile(join(skillsDir, folder, 'SKILL.md')),
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
