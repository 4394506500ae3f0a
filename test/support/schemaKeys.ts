/**
 * Every key path a zod schema accepts, as the README writes them
 * (`databases[].cleanup.tables[].retentionDays`): objects give their keys,
 * arrays `[]`, wrappers (optional, default, pipe) and unions what they hold.
 */
import type { z } from "zod";

interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly left?: z.ZodType;
  readonly right?: z.ZodType;
}

const WRAPPERS = new Set(["optional", "default", "nullable", "prefault", "readonly", "catch"]);

export function schemaKeyPaths(schema: z.ZodType): string[] {
  const out = new Set<string>();
  const walk = (s: z.ZodType, path: string): void => {
    const def = (s as unknown as { _zod: { def: Def } })._zod.def;
    if (def.type === "object" && def.shape && Object.keys(def.shape).length > 0) {
      for (const [k, v] of Object.entries(def.shape)) walk(v, path ? `${path}.${k}` : k);
    } else if (WRAPPERS.has(def.type)) walk(def.innerType!, path);
    else if (def.type === "pipe") walk(def.in!, path);
    else if (def.type === "array") walk(def.element!, `${path}[]`);
    else if (def.type === "union") for (const o of def.options!) walk(o, path);
    else if (def.type === "intersection") (walk(def.left!, path), walk(def.right!, path));
    else out.add(path.replace(/\[\]$/, ""));
  };
  walk(schema, "");
  return [...out].sort();
}
