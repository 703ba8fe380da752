import { describe, expect, it } from 'bun:test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from '../../support/start-test-server';

const BUILTIN = [
  {
    name: 'weather',
    description:
      'Current weather and short forecasts for a place, fetched with fetch_url from the Open-Meteo API (no key needed).',
    location: './skills/get_weather/SKILL.md',
  },
  {
    name: 'session-logs',
    description:
      'Look up what was said in earlier conversations of this agent, using the sessions_list and session_history tools.',
    location: './skills/session-logs/SKILL.md',
  },
  {
    name: 'skill-creator',
    description: 'Write a new skill for this agent as skills/<name>/SKILL.md with front matter, steps and examples.',
    location: './skills/skill-creator/SKILL.md',
  },
];

const agentSkills = (dataDir: string, agentId = 'default') => join(dataDir, 'workspaces', agentId, 'skills');

function addSkill(dataDir: string, folder: string, text: string) {
  mkdirSync(join(agentSkills(dataDir), folder), { recursive: true });
  writeFileSync(join(agentSkills(dataDir), folder, 'SKILL.md'), text);
}

describe('GET /api/skills', () => {
  it("lists the agent's skills, seeded with the built-in skills of the shared library", async () => {
    await using server = await startTestServer();
    const response = await server.json('GET', '/api/skills');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ data: BUILTIN });
    expect(readFileSync(join(server.dataDir, 'skills', 'get_weather', 'SKILL.md'), 'utf8')).toStartWith(
      '---\nname: weather\n',
    );
    expect(readFileSync(join(agentSkills(server.dataDir), 'get_weather', 'SKILL.md'), 'utf8')).toStartWith(
      '---\nname: weather\n',
    );
  });

  it('survives malformed front matter and names such skills after their folder', async () => {
    await using server = await startTestServer();
    addSkill(server.dataDir, 'broken-yaml', '---\nname: [unclosed\ndescription: {also: broken\n---\n# Body\n');
    addSkill(server.dataDir, 'no-front-matter', '# Just a heading\n');
    addSkill(server.dataDir, 'unclosed', '---\nname: never-closed\n');
    addSkill(server.dataDir, 'list-yaml', '---\n- a\n- b\n---\n');
    addSkill(server.dataDir, 'aa-numbers', '---\nname: 42\ndescription: true\n---\n');
    mkdirSync(join(agentSkills(server.dataDir), 'empty-folder'));
    writeFileSync(join(agentSkills(server.dataDir), 'stray.md'), 'not a skill folder');

    const response = await server.json('GET', '/api/skills');
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual([
      { name: '42', description: 'true', location: './skills/aa-numbers/SKILL.md' },
      { name: '[unclosed', description: '{also: broken', location: './skills/broken-yaml/SKILL.md' },
      BUILTIN[0],
      { name: 'list-yaml', description: '', location: './skills/list-yaml/SKILL.md' },
      { name: 'no-front-matter', description: '', location: './skills/no-front-matter/SKILL.md' },
      BUILTIN[1],
      BUILTIN[2],
      { name: 'unclosed', description: '', location: './skills/unclosed/SKILL.md' },
    ]);
  });

  it("shows a skill written through the files API in that agent's list only; agent_id selects the agent", async () => {
    await using server = await startTestServer();
    await server.json('POST', '/api/agents', { agent_id: 'b' });
    await server.json('POST', '/api/files?agent_id=b', {
      path: 'skills/private/SKILL.md',
      content: '---\nname: private\ndescription: only b\n---\n',
    });
    expect((await server.json('GET', '/api/skills')).body.data).toEqual(BUILTIN);
    expect((await server.json('GET', '/api/skills?agent_id=b')).body.data).toEqual([
      BUILTIN[0],
      { name: 'private', description: 'only b', location: './skills/private/SKILL.md' },
      BUILTIN[1],
      BUILTIN[2],
    ]);
    expect((await server.json('GET', '/api/skills?agent_id=nobody')).status).toBe(404);
  });

  it('reflects a hand edit of a skill file without a restart', async () => {
    await using server = await startTestServer();
    const skillsBefore = (await server.json('GET', '/api/skills')).body.data;
    expect(skillsBefore).toHaveLength(3);
    writeFileSync(
      join(agentSkills(server.dataDir), 'session-logs', 'SKILL.md'),
      '---\nname: session-logs\ndescription: edited\n---\n',
    );
    expect((await server.json('GET', '/api/skills')).body.data[1]).toEqual({ ...BUILTIN[1], description: 'edited' });
  });
});
