// Config of the attributes processor (contrib processor/attributesprocessor): `actions` (coreinternal/attraction)
// plus the legacy `include`/`exclude` matching (internal/filter/filterconfig).
//
// As upstream, loading the config only checks the shape and that `actions` is not empty (Config.Validate);
// the actions and the include/exclude blocks are compiled — and their mistakes reported, with YAML paths —
// when the processor is created for a pipeline (upstream: NewAttrProc / filterspan.NewSkipExpr at creation).
// This matters for drop-in compatibility: upstream's own testdata defines processors that are only invalid
// for some signals (`log_bodies` in a processor never used for traces, `metric_names` in one never used for
// logs) or at creation (an unnamed group in an
// `extract` pattern), and `otelcol validate` accepts them as long as no pipeline uses them.

import { s, join, type Infer } from '../../config/schema';
import { checkMatchConfig, matchConfigShape } from '../internal/filter-match';
import { actionSchema } from '../internal/attraction';

export const attributesConfigSchema = s.object(
  {
    ...matchConfigShape,
    actions: s.array(actionSchema),
  },
  {
    check(v, path, issues) {
      if (v.actions.length === 0) issues.push({ path: join(path, 'actions'), message: 'missing required field "actions"' });
      // What upstream's decoder rejects (log_severity_number.min must be an integer), whatever the signal.
      checkMatchConfig(v, path, issues);
    },
  },
);

export type AttributesConfig = Infer<typeof attributesConfigSchema>;
