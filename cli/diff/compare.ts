/**
 * Resources added, removed and changed between two plans, matched by URN (the
 * identity Pulumi uses: a changed URN is a delete plus a create), and grouped
 * by the upkeep component they belong to, so a reviewer reads per database.
 */
import type { RecordedResource } from "../mockRuntime";
import { diffPaths, formatPath, type Segment } from "./paths";

export interface ChangedResource {
  readonly before: RecordedResource;
  readonly after: RecordedResource;
  /** Changed paths as segments: inputs paths as they are, options under `options`. */
  readonly paths: readonly (readonly Segment[])[];
}

export interface ResourceDiff {
  readonly added: readonly RecordedResource[];
  readonly removed: readonly RecordedResource[];
  readonly changed: readonly ChangedResource[];
}

export const ENVIRONMENT_GROUP = "Environment";

/** The whole-URN aliases a resource declares: the URNs it lived at before. */
function formerUrns(resource: RecordedResource): string[] {
  const aliases = resource.options.aliases;
  return Array.isArray(aliases) ? aliases.filter((a): a is string => typeof a === "string") : [];
}

/**
 * A resource that moved under an alias is the same resource to Pulumi (no
 * delete, no create), so it is matched to its former URN and shows as changed.
 */
export function compareResources(base: readonly RecordedResource[], head: readonly RecordedResource[]): ResourceDiff {
  const baseByUrn = new Map(base.map((r) => [r.urn, r]));
  const headByUrn = new Map(head.map((r) => [r.urn, r]));
  const movedFrom = new Set<string>();
  const changed: ChangedResource[] = [];
  const added: RecordedResource[] = [];
  for (const after of head) {
    let before = baseByUrn.get(after.urn);
    if (!before) {
      const former = formerUrns(after).find((urn) => baseByUrn.has(urn) && !headByUrn.has(urn) && !movedFrom.has(urn));
      if (former === undefined) {
        added.push(after);
        continue;
      }
      movedFrom.add(former);
      before = baseByUrn.get(former)!;
    }
    const paths = [...diffPaths(before.inputs, after.inputs), ...diffPaths(before.options, after.options, ["options"])];
    if (paths.length > 0) changed.push({ before, after, paths });
  }
  return {
    added,
    removed: base.filter((r) => !headByUrn.has(r.urn) && !movedFrom.has(r.urn)),
    changed,
  };
}

/**
 * Changed paths for reading. A CronJob copies its labels and annotations into
 * its Job and pod templates; a change there is the same change three times, so
 * the copies are folded into the object's own `metadata` path.
 */
export function foldedPaths(paths: readonly (readonly Segment[])[]): (readonly Segment[])[] {
  const own = new Set(paths.map(formatPath).filter((p) => p.startsWith("metadata.")));
  return paths.filter((segments) => {
    const copy = /^spec\.jobTemplate\.(?:spec\.template\.)?(metadata\..*)$/.exec(formatPath(segments));
    return !(copy && own.has(copy[1]!));
  });
}

export const pathText = (paths: readonly (readonly Segment[])[]): string[] => foldedPaths(paths).map(formatPath);

/**
 * The group of a resource: its top-most upkeep component ancestor (itself, if
 * it is one), e.g. `orders (upkeep:postgres:DatabaseMaintenance)`. Providers
 * and plain resources directly under the stack belong to the environment.
 */
export function groupOf(resource: RecordedResource, byUrn: ReadonlyMap<string, RecordedResource>): string {
  let top: RecordedResource | undefined;
  const seen = new Set<string>(); // a hand-edited resources.json could hold a parent cycle
  for (let r: RecordedResource | undefined = resource; r && !seen.has(r.urn); r = byUrn.get(r.parent)) {
    seen.add(r.urn);
    if (r.type.startsWith("upkeep:")) top = r;
  }
  return top ? `${top.name} (${top.type})` : ENVIRONMENT_GROUP;
}
