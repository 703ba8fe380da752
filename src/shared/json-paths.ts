// Where in a parsed JSON value something sits: the dotted paths (array items by index) of keys and values that match.

/**
 * The paths of every own key for which `keyMatches` holds (not looked into further) and of every value for which
 * `valueMatches` holds, at any depth. One walk with one path stack: a path is joined only for a match, so a body of
 * a million small items costs a visit each, not an array copy and a tuple each (1 MiB of `[1,1,…]` took 0.4-1.3 s).
 */
export function pathsWhere(
  value: unknown,
  keyMatches: (key: string) => boolean,
  valueMatches: (value: unknown) => boolean = () => false,
): string[] {
  const found: string[] = [];
  const path: (string | number)[] = [];
  const visit = (item: unknown): void => {
    if (valueMatches(item)) {
      found.push(path.join('.'));
      return;
    }
    if (typeof item !== 'object' || item === null) return;
    if (Array.isArray(item)) {
      for (let index = 0; index < item.length; index++) {
        path.push(index);
        visit(item[index]);
        path.pop();
      }
      return;
    }
    for (const key of Object.keys(item)) {
      path.push(key);
      if (keyMatches(key)) found.push(path.join('.'));
      else visit((item as Record<string, unknown>)[key]);
      path.pop();
    }
  };
  visit(value);
  return found;
}
