import { describe, expect, it } from 'bun:test';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseFrontMatter, renderSkillsSnapshot, scanSkills } from './skills';

describe('skills', () => {
  it('parses YAML front matter and falls back to key: value lines', () => {
    expect(parseFrontMatter('---\nname: weather\ndescription: "Look it up"\n---\nbody')).toEqual({
      name: 'weather',
      description: 'Look it up',
    });
    expect(parseFrontMatter('---\nname: x: [\n---\n')).toEqual({ name: 'x: [' });
    expect(parseFrontMatter('no front matter')).toEqual({});
    expect(parseFrontMatter('---\nname: unclosed')).toEqual({});
  });

  it('names a skill after its folder when front matter has no name, and survives bad YAML', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skills-'));
    mkdirSync(join(dir, 'get_weather'));
    writeFileSync(join(dir, 'get_weather', 'SKILL.md'), '---\nname: weather\ndescription: Forecasts\n---\n');
    mkdirSync(join(dir, 'plain'));
    writeFileSync(join(dir, 'plain', 'SKILL.md'), '# no front matter');
    mkdirSync(join(dir, 'empty-folder'));
    expect(scanSkills(dir)).toEqual([
      { name: 'weather', description: 'Forecasts', location: './skills/get_weather/SKILL.md' },
      { name: 'plain', description: '', location: './skills/plain/SKILL.md' },
    ]);
    expect(scanSkills(join(dir, 'missing'))).toEqual([]);
  });

  it('escapes XML in the snapshot', () => {
    const text = renderSkillsSnapshot([{ name: 'a<b', description: 'x & y', location: './skills/a/SKILL.md' }]);
    expect(text).toBe(
      '<available_skills>\n  <skill>\n    <name>a&lt;b</name>\n    <description>x &amp; y</description>\n    <location>./skills/a/SKILL.md</location>\n  </skill>\n</available_skills>\n',
    );
  });
});
