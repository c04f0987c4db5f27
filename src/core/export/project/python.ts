// Python source text from plain values, for the generated training project: literals and keyword calls laid out
// as a person would write them.

/** A value written as Python source: JSON-like data, or `{ python }` for an expression written as is. */
export type PyLiteral = string | number | boolean | null | readonly PyLiteral[] | { python: string };
export type PyArgs = Record<string, PyLiteral | undefined>;

export function pyValue(value: PyLiteral): string {
  if (value === null) return 'None';
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`${value} has no Python literal here`);
    // 5e-5 as a person writes a learning rate, not 0.00005.
    return value !== 0 && Math.abs(value) < 1e-3 ? value.toExponential() : String(value);
  }
  // JSON's string escapes are all valid in Python string literals.
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => pyValue(v)).join(', ')}]`;
  return (value as { python: string }).python;
}

/** `name(\n    key=value,\n    …\n)`, leaving out arguments that are undefined; `indent` prefixes each line. */
export function pyCall(name: string, args: PyArgs, indent = ''): string {
  const entries = Object.entries(args).filter((e): e is [string, PyLiteral] => e[1] !== undefined);
  const inner = entries.map(([k, v]) => `${indent}    ${k}=${pyValue(v)},`);
  if (indent === '' && inner.join('').length < 70 && entries.length <= 2)
    return `${name}(${entries.map(([k, v]) => `${k}=${pyValue(v)}`).join(', ')})`;
  return [`${name}(`, ...inner, `${indent})`].join('\n');
}
