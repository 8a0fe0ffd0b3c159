import type { ComponentId } from './types';

/** Parse `type` or `type/name`. Throws on an empty type or name. */
export function parseComponentId(id: string): ComponentId {
  const slash = id.indexOf('/');
  const type = (slash < 0 ? id : id.slice(0, slash)).trim();
  const name = slash < 0 ? '' : id.slice(slash + 1).trim();
  if (!type) throw new Error(`the part before "/" should not be empty in id "${id}"`);
  if (slash >= 0 && !name) throw new Error(`the part after "/" should not be empty in id "${id}"`);
  if (!/^[a-zA-Z][0-9a-zA-Z_]{0,62}$/.test(type)) throw new Error(`invalid character(s) in type "${type}"`);
  return { type, name, id: slash < 0 ? type : `${type}/${name}` };
}
