// Storage ports that fail like a full disk while a switch is on, for the `wrapAgentStorage` override.

export interface DiskSwitch {
  /** While true, the wrapped writes throw SQLITE_FULL. */
  full: boolean;
  /** How many writes were refused so far. */
  refused: number;
}

/** The error bun:sqlite throws when a write finds the disk full. */
export function diskFullError(): Error {
  return Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
}

/** `port` with each method in `writes` throwing SQLITE_FULL while `disk.full`; everything else as it is. */
export function withFailingWrites<T extends object>(port: T, writes: readonly (keyof T)[], disk: DiskSwitch): T {
  return new Proxy(port, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (!writes.includes(key as keyof T) || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (disk.full) {
          disk.refused++;
          throw diskFullError();
        }
        return value.apply(receiver, args);
      };
    },
  });
}
