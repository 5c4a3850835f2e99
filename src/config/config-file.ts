import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';

/**
 * Reads a `--config` file: a YAML (or, for `*.json`, JSON) object whose keys are option names.
 * Throws an Error whose message names the file and what is wrong with it.
 */
export function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  const json = /\.json$/i.test(file);
  let document: unknown;
  try {
    document = json ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new Error(`config file ${file} is not valid ${json ? 'JSON' : 'YAML'}: ${(error as Error).message}`);
  }
  if (document === null || document === undefined) return {};
  if (typeof document !== 'object' || Array.isArray(document)) throw new Error(`config file ${file} must hold an object of options`);
  return document as Record<string, unknown>;
}

/**
 * A file value as the option parsers read it: the text form of a scalar, a list joined with
 * commas (`fetchAllowCidrs: [10.0.0.0/8]`), `null` as empty (unset); anything else is refused.
 */
export function optionText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return '';
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(',');
  return undefined;
}
