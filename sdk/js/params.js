// Typed params: the JSON object of an invoke, checked against a small schema; and the numbers
// that cross into and out of capabilities.
//
// A schema is a type name ('string', 'number', 'integer', 'boolean', 'object', 'array',
// 'any'), optional with a trailing '?'; an array of one schema for a list of them; or an
// object of schemas for an object's fields (fields it does not name are ignored).

import { Failure } from './failure.js';

export function decode(schema, value, where = 'params') {
  if (schema === undefined || schema === 'any') return value;
  if (typeof schema === 'string' && schema.endsWith('?')) {
    return value === undefined || value === null ? undefined : decode(schema.slice(0, -1), value, where);
  }
  if (Array.isArray(schema)) {
    if (!Array.isArray(value)) throw wrong(where, 'an array', value);
    return value.map((item, i) => decode(schema[0], item, `${where}[${i}]`));
  }
  if (typeof schema === 'object' && schema !== null) {
    if (!isObject(value)) throw wrong(where, 'an object', value);
    const out = {};
    for (const [field, inner] of Object.entries(schema)) {
      const optional = typeof inner === 'string' && inner.endsWith('?');
      if (!(field in value) && !optional) {
        throw Failure.invalid(`missing field \`${field}\` in ${where}`);
      }
      const decoded = decode(inner, value[field], `${where}.${field}`);
      if (decoded !== undefined) out[field] = decoded;
    }
    return out;
  }
  const check = CHECKS[schema];
  if (!check) throw new Error(`unknown params type ${JSON.stringify(schema)} at ${where}`);
  if (!check.test(value)) throw wrong(where, check.name, value);
  return value;
}

const CHECKS = {
  string: { name: 'a string', test: (v) => typeof v === 'string' },
  number: { name: 'a number', test: (v) => typeof v === 'number' },
  integer: { name: 'an integer', test: (v) => Number.isInteger(v) },
  boolean: { name: 'a boolean', test: (v) => typeof v === 'boolean' },
  object: { name: 'an object', test: isObject },
  array: { name: 'an array', test: Array.isArray },
};

function isObject(v) {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function wrong(where, wanted, value) {
  const got = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  return Failure.invalid(`${where} must be ${wanted}, not ${got}`);
}

// The bindings take and give 64-bit integers as BigInt; the capability modules take and give
// plain numbers (milliseconds, sizes and the host's counters all stay far below 2^53).

/** A number as the BigInt a binding takes; absent stays absent. */
export function bigint(n) {
  return n === undefined || n === null ? undefined : BigInt(n);
}

/** A binding's BigInt as a plain number; absent stays absent. */
export function number(b) {
  return b === undefined ? undefined : Number(b);
}
