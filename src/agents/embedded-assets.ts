// The workspace template and built-in skills, embedded in the binary as text at build time.
import agentsMd from '../../assets/template/workspace/AGENTS.md' with { type: 'text' };
import bootstrapMd from '../../assets/template/workspace/BOOTSTRAP.md' with { type: 'text' };
import heartbeatMd from '../../assets/template/workspace/HEARTBEAT.md' with { type: 'text' };
import identityMd from '../../assets/template/workspace/IDENTITY.md' with { type: 'text' };
import soulMd from '../../assets/template/workspace/SOUL.md' with { type: 'text' };
import toolsMd from '../../assets/template/workspace/TOOLS.md' with { type: 'text' };
import userMd from '../../assets/template/workspace/USER.md' with { type: 'text' };
import memoryMd from '../../assets/template/memory/MEMORY.md' with { type: 'text' };
import sessionLogsSkill from '../../assets/skills/session-logs/SKILL.md' with { type: 'text' };
import skillCreatorSkill from '../../assets/skills/skill-creator/SKILL.md' with { type: 'text' };
import weatherSkill from '../../assets/skills/get_weather/SKILL.md' with { type: 'text' };

/** Template files by path relative to an agent folder. */
export const WORKSPACE_TEMPLATE: Readonly<Record<string, string>> = {
  'workspace/AGENTS.md': agentsMd,
  'workspace/BOOTSTRAP.md': bootstrapMd,
  'workspace/HEARTBEAT.md': heartbeatMd,
  'workspace/IDENTITY.md': identityMd,
  'workspace/SOUL.md': soulMd,
  'workspace/TOOLS.md': toolsMd,
  'workspace/USER.md': userMd,
  'memory/MEMORY.md': memoryMd,
};

/** Files that start-up repairs when missing. BOOTSTRAP.md is not one: agents delete it on purpose. */
export const CORE_TEMPLATE_FILES = Object.keys(WORKSPACE_TEMPLATE).filter((path) => path !== 'workspace/BOOTSTRAP.md');

/** Built-in skills by path relative to a skills folder. */
export const BUILTIN_SKILLS: Readonly<Record<string, string>> = {
  'session-logs/SKILL.md': sessionLogsSkill,
  'skill-creator/SKILL.md': skillCreatorSkill,
  'get_weather/SKILL.md': weatherSkill,
};
