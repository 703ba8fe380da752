import { describe, expect, it } from 'bun:test';
import { kindOf, meanByKind, readResidentByKind, residentByKind } from './smaps';

const EXE = '/opt/moc/mini-openclaw';
const SMAPS = `00400000-00800000 r-xp 00000000 fd:01 123 ${EXE}
Size:               4096 kB
Rss:                2048 kB
00800000-00a00000 r--p 00400000 fd:01 123 ${EXE}
Rss:                1024 kB
00a00000-00c00000 rw-p 00600000 fd:01 123 ${EXE}
Rss:                 768 kB
01000000-02000000 rw-p 00000000 00:00 0 
Rss:                 512 kB
02000000-02100000 rw-p 00000000 00:00 0                                  [heap]
Rss:                 256 kB
7f0000000000-7f0000100000 r-xp 00000000 fd:01 456 /usr/lib/x86_64-linux-gnu/libc.so.6
Rss:                 128 kB
7ffd00000000-7ffd00021000 rw-p 00000000 00:00 0                          [stack]
Rss:                  64 kB
7ffd00100000-7ffd00102000 r-xp 00000000 00:00 0                          [vdso]
Rss:                   8 kB
`;

describe('smaps by kind', () => {
  it('tells the executable’s code, read-only and read-write pages apart, and anonymous memory from other files and the stack', () => {
    expect(kindOf('r-xp', EXE, EXE)).toBe('executable code');
    expect(kindOf('r--p', EXE, EXE)).toBe('executable read-only');
    expect(kindOf('rw-p', EXE, EXE)).toBe('executable read-write');
    expect(kindOf('rw-p', '', EXE)).toBe('anonymous');
    expect(kindOf('rw-p', '[heap]', EXE)).toBe('anonymous');
    expect(kindOf('rw-p', '[stack]', EXE)).toBe('stack');
    expect(kindOf('r-xp', '/usr/lib/libc.so.6', EXE)).toBe('other files');
  });

  it('sums each mapping’s Rss (not its Size) under its kind, in MB', () => {
    expect(residentByKind(SMAPS, EXE)).toEqual({
      anonymous: (512 + 256 + 8) / 1024,
      'executable code': 2,
      'executable read-only': 1,
      'executable read-write': 0.75,
      'other files': 128 / 1024,
      stack: 64 / 1024,
    });
  });

  it('averages readings kind by kind', () => {
    const one = residentByKind(SMAPS, EXE);
    const none = residentByKind('', EXE);
    expect(meanByKind([one, none])['executable code']).toBe(1);
    expect(meanByKind([one, none]).anonymous).toBeCloseTo((512 + 256 + 8) / 2048, 10);
  });

  it('reads a live process: this one holds anonymous memory and maps its own executable', () => {
    const mine = readResidentByKind(process.pid, process.execPath);
    expect(mine.anonymous).toBeGreaterThan(1);
    expect(mine['executable code']).toBeGreaterThan(1);
  });
});
