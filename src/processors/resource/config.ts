// Config of the resource processor (contrib processor/resourceprocessor): `attributes`, a list of actions with
// the attributes processor's syntax (coreinternal/attraction: insert, update, upsert, delete, hash, extract,
// convert; value / from_attribute / from_context / default_value), applied to resource attributes.
//
// As upstream, loading checks the shape and that `attributes` is not empty (Config.Validate: `missing
// required field "attributes"`); the actions are compiled — and their mistakes reported with YAML paths —
// when the processor is created (upstream: NewAttrProc in each create function).

import { s, join, type Infer } from '../../config/schema';
import { actionSchema } from '../internal/attraction';

export const resourceConfigSchema = s.object(
  {
    /** Actions applied, in order, to the attributes of every resource. */
    attributes: s.array(actionSchema),
  },
  {
    check(v, path, issues) {
      if (v.attributes.length === 0) issues.push({ path: join(path, 'attributes'), message: 'missing required field "attributes"' });
    },
  },
);

export type ResourceConfig = Infer<typeof resourceConfigSchema>;
