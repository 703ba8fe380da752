import { describe, expect, it } from 'bun:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../../test/support/temp-dir';
import { parseDotenv, withDotenv } from './dotenv';

describe('parseDotenv', () => {
  it('reads assignments, export prefixes, quotes and comments', () => {
    const text = [
      '# a comment',
      '',
      'APP_PORT=9000',
      'export APP_HOST = 0.0.0.0',
      'LLM_MODEL="deepseek-chat"  ',
      "LLM_API_KEY='sk-#not-a-comment'",
      'APP_DATA_DIR=./data # trailing comment',
      'MULTI="line one\\nline two \\"quoted\\""',
      'EMPTY=',
      'HASH_IN_VALUE=abc#def',
      'not an assignment',
      '9BAD=x',
    ].join('\r\n');
    expect(parseDotenv(text)).toEqual({
      APP_PORT: '9000',
      APP_HOST: '0.0.0.0',
      LLM_MODEL: 'deepseek-chat',
      LLM_API_KEY: 'sk-#not-a-comment',
      APP_DATA_DIR: './data',
      MULTI: 'line one\nline two "quoted"',
      EMPTY: '',
      HASH_IN_VALUE: 'abc#def',
    });
  });

  it('keeps the last of repeated keys', () => {
    expect(parseDotenv('A=1\nA=2\n')).toEqual({ A: '2' });
  });
});

describe('withDotenv', () => {
  it('adds variables from the file that the environment lacks, and real variables win', () => {
    using dir = makeTempDir('moc-dotenv-');
    const path = join(dir.path, '.env');
    writeFileSync(path, 'APP_PORT=9000\nAPP_DATA_DIR=./from-file\nLLM_MODEL=file-model\n');
    const env = { APP_PORT: '7000', LLM_MODEL: undefined, OTHER: 'x' };
    expect(withDotenv(env, path)).toEqual({
      APP_PORT: '7000',
      APP_DATA_DIR: './from-file',
      LLM_MODEL: 'file-model',
      OTHER: 'x',
    });
    expect(env).toEqual({ APP_PORT: '7000', LLM_MODEL: undefined, OTHER: 'x' });
  });

  it('lets an empty real variable beat the file', () => {
    using dir = makeTempDir('moc-dotenv-');
    const path = join(dir.path, '.env');
    writeFileSync(path, 'APP_API_TOKEN=from-file\n');
    expect(withDotenv({ APP_API_TOKEN: '' }, path)).toEqual({ APP_API_TOKEN: '' });
  });

  it('returns the environment unchanged when there is no file', () => {
    using dir = makeTempDir('moc-dotenv-');
    const env = { A: '1' };
    expect(withDotenv(env, join(dir.path, '.env'))).toBe(env);
  });
});
