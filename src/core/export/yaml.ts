// A small YAML writer for the model card's front matter: block mappings and sequences of plain data.
// Strings are written plain only when no YAML reader could take them for anything else; otherwise they are
// double-quoted with JSON escapes (a subset of YAML's). Numbers are written so YAML 1.1 readers (PyYAML) and
// YAML 1.2 readers (the Hub's) both read floats as floats.

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

const PLAIN = /^[A-Za-z_][A-Za-z0-9_ ./-]*$/;
const RESERVED = /^(y|n|yes|no|on|off|true|false|null|~)$/i;

export function yamlString(text: string): string {
  if (PLAIN.test(text) && !RESERVED.test(text) && !text.endsWith(' ')) return text;
  // JSON leaves these raw, but YAML treats them as line breaks or non-printable characters.
  return JSON.stringify(text).replace(
    /[\u007f-\u009f\u2028\u2029\ufeff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

export function yamlNumber(value: number): string {
  if (Number.isNaN(value)) return '.nan';
  if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value);
  // YAML 1.1 needs a dot in the mantissa and a signed exponent: 1e-7 becomes 1.0e-7.
  const [mantissa, exponent] = String(value).split('e');
  if (exponent === undefined) return mantissa!;
  const m = mantissa!.includes('.') ? mantissa : `${mantissa}.0`;
  return `${m}e${exponent.startsWith('-') || exponent.startsWith('+') ? exponent : `+${exponent}`}`;
}

function scalar(value: string | number | boolean | null): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return yamlNumber(value);
  return yamlString(value);
}

function isCollection(value: YamlValue): value is YamlValue[] | { [key: string]: YamlValue } {
  return value !== null && typeof value === 'object';
}

function isEmpty(value: YamlValue[] | { [key: string]: YamlValue }): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function lines(value: YamlValue, indent: string): string[] {
  if (!isCollection(value)) return [`${indent}${scalar(value)}`];
  if (Array.isArray(value)) {
    return value.flatMap((item) => {
      if (!isCollection(item) || isEmpty(item)) {
        return [`${indent}- ${isCollection(item) ? (Array.isArray(item) ? '[]' : '{}') : scalar(item)}`];
      }
      // The first line of a nested block goes on the dash's line, the rest line up under it.
      const inner = lines(item, `${indent}  `);
      return [`${indent}- ${inner[0]!.slice(indent.length + 2)}`, ...inner.slice(1)];
    });
  }
  return Object.entries(value).flatMap(([key, item]) => {
    const k = `${indent}${yamlString(key)}:`;
    if (!isCollection(item)) return [`${k} ${scalar(item)}`];
    if (isEmpty(item)) return [`${k} ${Array.isArray(item) ? '[]' : '{}'}`];
    return [k, ...lines(item, `${indent}  `)];
  });
}

/** A YAML document body (no `---` markers) for a mapping. */
export function toYaml(value: { [key: string]: YamlValue }): string {
  return `${lines(value, '').join('\n')}\n`;
}
