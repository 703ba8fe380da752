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

  it('keeps only name and description, stringifying scalars but never lists or maps', () => {
    expect(
      parseFrontMatter('---\nname: 42\ndescription: >\n  folded\n  text\nversion: 2\ntags: [a, b]\n---\n'),
    ).toEqual({ name: '42', description: 'folded text\n' });
    expect(parseFrontMatter('---\nname: [a, b]\ndescription: {x: 1}\n---\n')).toEqual({});
    expect(parseFrontMatter("---\nname: 'it''s'\ndescription: \"Tom & Jerry, *both*\"\n---\n")).toEqual({
      name: "it's",
      description: 'Tom & Jerry, *both*',
    });
  });

  it('ignores a front matter longer than 16 KB', () => {
    const long = `---\nname: big\ndescription: ${'x'.repeat(16 * 1024)}\n---\n`;
    expect(parseFrontMatter(long)).toEqual({});
    expect(parseFrontMatter(`---\nname: small\n---\n${'body '.repeat(10_000)}`)).toEqual({ name: 'small' });
  });

  it('lists skills whose front matter is an alias bomb quickly and with bounded memory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skills-'));
    // The reviewed attack: a 100 KB leaf, a list of 1,000 aliases to it, and keys aliasing the list.
    const leaf = 'x'.repeat(100_000);
    const big = [`a0: &a0 "${leaf}"`, `a1: &a1 [${Array(1000).fill('*a0').join(', ')}]`];
    for (let key = 0; key < 16; key++) big.push(`k${key}: *a1`);
    mkdirSync(join(dir, 'big-bomb'));
    writeFileSync(join(dir, 'big-bomb', 'SKILL.md'), `---\n${big.join('\n')}\n---\n# Body\n`);
    // The same under the size cap: an 8 KB leaf, 600 aliases, 150 keys (each 4.8 MB once expanded).
    const small = ['name: small-bomb', 'description: Tiny', `a0: &a0 "${'y'.repeat(8000)}"`];
    small.push(`a1: &a1 [${Array(600).fill('*a0').join(',')}]`);
    for (let key = 0; key < 150; key++) small.push(`k${key}: *a1`);
    const smallText = `---\n${small.join('\n')}\n---\n`;
    expect(smallText.length).toBeLessThan(16 * 1024);
    mkdirSync(join(dir, 'small-bomb'));
    writeFileSync(join(dir, 'small-bomb', 'SKILL.md'), smallText);

    const rssBefore = process.memoryUsage().rss;
    expect(scanSkills(dir)).toEqual([
      { name: 'big-bomb', description: '', location: './skills/big-bomb/SKILL.md' },
      { name: 'small-bomb', description: 'Tiny', location: './skills/small-bomb/SKILL.md' },
    ]);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(200 * 1024 * 1024);
  }, 3000);

  it('escapes XML in the snapshot', () => {
    const text = renderSkillsSnapshot([{ name: 'a<b', description: 'x & y', location: './skills/a/SKILL.md' }]);
    expect(text).toBe(
      '<available_skills>\n  <skill>\n    <name>a&lt;b</name>\n    <description>x &amp; y</description>\n    <location>./skills/a/SKILL.md</location>\n  </skill>\n</available_skills>\n',
    );
  });
});
