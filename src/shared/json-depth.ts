// How deep a JSON text nests, read as text before parsing it: the body parser and fetch_url both refuse or skip work
// past a depth.

/** Whether the `[`/`{` nesting of a JSON text (brackets inside strings ignored) goes deeper than `limit`; stops there. */
export function isNestedDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text.charCodeAt(index);
    if (inString) {
      if (char === 92)
        index++; // backslash: skip the escaped character
      else if (char === 34) inString = false;
    } else if (char === 34) inString = true;
    else if (char === 91 || char === 123) {
      if (++depth > limit) return true;
    } else if (char === 93 || char === 125) depth--;
  }
  return false;
}
