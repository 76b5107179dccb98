// Reading and validating check parameters. At run time values arrive interpolated (mostly strings);
// at lint time they may still hold `{{placeholders}}`, which pass any kind check.

import type { CheckTypeInfo, ParamDef } from '../model/check.js';
import { DocumentError } from '../model/errors.js';

type Params = Record<string, unknown>;

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasPlaceholder(v: unknown): boolean {
  return typeof v === 'string' && /\{\{[^}]*\}\}/.test(v);
}

function invalid(type: string, message: string): DocumentError {
  return new DocumentError('CHECK_PARAM_INVALID', `${type}: ${message}`);
}

/** Typed accessors over one step's parameters; each throws CHECK_PARAM_INVALID naming the type and parameter. */
export interface ParamReader {
  string(name: string): string;
  optionalString(name: string): string | undefined;
  optionalNumber(name: string): number | undefined;
  optionalBoolean(name: string): boolean | undefined;
  stringList(name: string): string[];
  optionalMap(name: string): Record<string, string> | undefined;
}

export function readParams(type: string, params: Params): ParamReader {
  const scalar = (name: string): string | undefined => {
    const v = params[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    throw invalid(type, `parameter "${name}" must be a single value, found ${Array.isArray(v) ? 'a list' : 'a mapping'}`);
  };
  return {
    string(name) {
      const v = scalar(name);
      if (v === undefined || v.trim() === '') throw invalid(type, `parameter "${name}" is required`);
      return v;
    },
    optionalString(name) {
      const v = scalar(name);
      return v === undefined || v === '' ? undefined : v;
    },
    optionalNumber(name) {
      const v = scalar(name);
      if (v === undefined || v === '') return undefined;
      const n = Number(v);
      if (!Number.isFinite(n)) throw invalid(type, `parameter "${name}" must be a number, found "${v}"`);
      return n;
    },
    optionalBoolean(name) {
      const v = scalar(name);
      if (v === undefined || v === '') return undefined;
      if (v === 'true') return true;
      if (v === 'false') return false;
      throw invalid(type, `parameter "${name}" must be true or false, found "${v}"`);
    },
    stringList(name) {
      const v = params[name];
      if (!Array.isArray(v) || v.length === 0) throw invalid(type, `parameter "${name}" must be a non-empty list, e.g. ["sh", "-c", "true"]`);
      return v.map((item, i) => {
        if (typeof item === 'string') return item;
        if (typeof item === 'number' || typeof item === 'boolean') return String(item);
        throw invalid(type, `parameter "${name}" item ${i + 1} must be a string`);
      });
    },
    optionalMap(name) {
      const v = params[name];
      if (v === undefined || v === null) return undefined;
      if (!isPlainObject(v)) throw invalid(type, `parameter "${name}" must be a mapping of names to values`);
      const out: Record<string, string> = {};
      for (const [k, item] of Object.entries(v)) {
        if (isPlainObject(item) || Array.isArray(item)) throw invalid(type, `parameter "${name}.${k}" must be a single value`);
        out[k] = String(item ?? '');
      }
      return out;
    },
  };
}

function kindProblem(name: string, def: ParamDef, value: unknown): string | null {
  if (hasPlaceholder(value)) return null;
  switch (def.kind) {
    case 'string':
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return `parameter "${name}" must be a single value`;
      if (def.enum && !def.enum.includes(String(value))) return `parameter "${name}" must be one of ${def.enum.join(', ')}, found "${String(value)}"`;
      return null;
    case 'number':
      return Number.isFinite(Number(value)) && value !== '' && typeof value !== 'boolean' && !Array.isArray(value) && !isPlainObject(value) ? null : `parameter "${name}" must be a number`;
    case 'boolean':
      return value === true || value === false || value === 'true' || value === 'false' ? null : `parameter "${name}" must be true or false`;
    case 'string[]':
      return Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') ? null : `parameter "${name}" must be a non-empty list of strings`;
    case 'map':
      return isPlainObject(value) ? null : `parameter "${name}" must be a mapping`;
    case 'any':
      return null;
  }
}

/**
 * Problems of a step's parameters against its type (lint, and the runner before observing):
 * unknown names, missing required ones, exactly-one groups, kinds and allowed values.
 * Each problem names the parameter; `{{placeholders}}` satisfy any kind.
 */
export function validateCheckParams(info: CheckTypeInfo, params: Params): string[] {
  const problems: string[] = [];
  const known = Object.keys(info.params);
  for (const name of Object.keys(params)) {
    if (!(name in info.params)) problems.push(`parameter "${name}" is not known to ${info.type}; known: ${known.join(', ') || 'none'}`);
  }
  for (const [name, def] of Object.entries(info.params)) {
    const value = params[name];
    if (value === undefined || value === null) {
      if (def.required) problems.push(`parameter "${name}" is required by ${info.type}: ${def.description}`);
      continue;
    }
    const problem = kindProblem(name, def, value);
    if (problem) problems.push(problem);
  }
  for (const group of info.exactlyOne ?? []) {
    const given = group.filter((n) => params[n] !== undefined && params[n] !== null);
    if (given.length !== 1) {
      problems.push(`${info.type} needs exactly one of ${group.map((g) => `"${g}"`).join(', ')}, found ${given.length === 0 ? 'none' : given.map((g) => `"${g}"`).join(' and ')}`);
    }
  }
  return problems;
}
