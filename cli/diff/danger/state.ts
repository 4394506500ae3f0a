/**
 * What cannot be undone by the next deploy: stateful resources deleted or
 * replaced, backup retention reduced, vault locks, and protection removed.
 */
import type { RecordedResource } from "../../mockRuntime";
import type { ResourceDiff } from "../compare";
import { at, formatPath, type Segment } from "../paths";
import { label, VAULT_LOCK_TYPE } from "./resources";

const STATEFUL_TYPES = new Set([
  "kubernetes:core/v1:Namespace",
  "kubernetes:core/v1:PersistentVolumeClaim",
  "aws:backup/vault:Vault",
  "aws:sns/topic:Topic",
  "aws:kms/key:Key",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketV2:BucketV2",
]);

/** A protected resource is stateful by the program's own judgement. */
const isStateful = (r: RecordedResource) => STATEFUL_TYPES.has(r.type) || r.options.protect === true;

/** Fields whose change makes Pulumi delete and recreate the resource (its identity in the cluster or the cloud). */
function replacingPaths(r: RecordedResource, paths: readonly (readonly Segment[])[]): (readonly Segment[])[] {
  const identity = r.type.startsWith("kubernetes:") ? ["metadata.name", "metadata.namespace"] : r.type.startsWith("aws:") ? ["name"] : [];
  return paths.filter((p) => identity.includes(formatPath(p)));
}

const NAMESPACE_NOTE = "; deleting a namespace deletes everything in it, including the credentials Secrets created by hand";

const shown = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v) : v === undefined ? "absent" : JSON.stringify(v));

export function statefulDangers(diff: ResourceDiff): string[] {
  const lines: string[] = [];
  for (const r of diff.removed) {
    if (!isStateful(r)) continue;
    const note = r.type === "kubernetes:core/v1:Namespace" ? NAMESPACE_NOTE : "";
    lines.push(`Stateful resource deleted: ${label(r)}${r.options.protect === true ? " (protected)" : ""}${note}`);
  }
  for (const c of diff.changed) {
    if (!isStateful(c.before)) continue;
    const paths = replacingPaths(c.before, c.paths);
    if (paths.length === 0) continue;
    const how = paths.map((p) => `${formatPath(p)} ${shown(at(c.before.inputs, ...p))} → ${shown(at(c.after.inputs, ...p))}`).join(", ");
    const note = c.before.type === "kubernetes:core/v1:Namespace" ? NAMESPACE_NOTE : "";
    lines.push(`Stateful resource replaced: ${label(c.before)} (${how})${note}`);
  }
  return lines;
}

const isRetentionKey = (key: Segment | undefined) => typeof key === "string" && (/retentiondays$/i.test(key) || key === "deleteAfter");

export function retentionDangers(diff: ResourceDiff): string[] {
  const lines: string[] = [];
  for (const lock of diff.added.filter((r) => r.type === VAULT_LOCK_TYPE)) {
    lines.push(`Vault lock added: ${label(lock)}${lockDays(lock)}; it becomes irreversible once changeableForDays pass`);
  }
  for (const c of diff.changed) {
    if (c.after.type === VAULT_LOCK_TYPE) {
      lines.push(`Vault lock changed: ${label(c.after)} (${c.paths.map(formatPath).join(", ")})${lockDays(c.after)}; it becomes irreversible once changeableForDays pass`);
    }
    for (const p of c.paths) {
      if (!isRetentionKey(p[p.length - 1])) continue;
      const before = at(c.before.inputs, ...p);
      const after = at(c.after.inputs, ...p);
      if (typeof before === "number" && (typeof after !== "number" || after < before)) {
        lines.push(`Backup retention reduced: ${label(c.after)} at \`${formatPath(p)}\` ${before} → ${shown(after)}`);
      }
    }
    for (const option of ["protect", "retainOnDelete"] as const) {
      if (c.before.options[option] === true && c.after.options[option] !== true) {
        lines.push(`Protection removed: ${label(c.after)} (${option} true → ${shown(c.after.options[option])})`);
      }
    }
  }
  return lines;
}

function lockDays(r: RecordedResource): string {
  const days = at(r.inputs, "changeableForDays");
  return typeof days === "number" ? ` (changeableForDays ${days})` : "";
}
