/**
 * Rule e: no IAM or resource policy allows a wildcard action (`*` or
 * `service:*`). upkeep's roles only publish to its own topics; a wildcard
 * would grant far more than a maintenance task may do. Deny statements may
 * use wildcards: they only take permissions away.
 */
import { at, isRecord, resourceLabel, type CheckedResource } from "./resource";

/** Each policy-bearing type and the inputs that hold its documents. */
const POLICY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  "aws:iam/policy:Policy": ["policy"],
  "aws:iam/rolePolicy:RolePolicy": ["policy"],
  "aws:iam/userPolicy:UserPolicy": ["policy"],
  "aws:iam/groupPolicy:GroupPolicy": ["policy"],
  "aws:iam/role:Role": ["assumeRolePolicy"],
  "aws:sns/topicPolicy:TopicPolicy": ["policy"],
};

const isWildcard = (action: unknown) => typeof action === "string" && (action === "*" || /^[^:*]+:\*$/.test(action));

/** Violations in one policy document, given as JSON text or as an object. */
function checkDocument(document: unknown, where: string): string[] {
  let parsed: unknown = document;
  if (typeof document === "string") {
    try {
      parsed = JSON.parse(document);
    } catch {
      return [`${where} is not valid JSON, so its actions cannot be checked`];
    }
  }
  const statements = at(parsed, "Statement");
  const list = Array.isArray(statements) ? statements : [statements];
  const out: string[] = [];
  list.forEach((statement: unknown, i) => {
    if (!isRecord(statement) || statement.Effect !== "Allow") return;
    const path = `${where} Statement${Array.isArray(statements) ? `[${i}]` : ""}.Action`;
    const actions = statement.Action;
    if (Array.isArray(actions)) {
      actions.forEach((a: unknown, j) => {
        if (isWildcard(a)) out.push(`${path}[${j}] must not be a wildcard (got ${String(a)})`);
      });
    } else if (isWildcard(actions)) {
      out.push(`${path} must not be a wildcard (got ${String(actions)})`);
    }
  });
  return out;
}

export function checkIamWildcards(resource: CheckedResource): string[] {
  const fields = POLICY_FIELDS[resource.type];
  if (!fields) return [];
  const who = resourceLabel(resource);
  const out: string[] = [];
  for (const field of fields) {
    const document = at(resource.props, field);
    if (document !== undefined && document !== null) out.push(...checkDocument(document, field));
  }
  // A Role's inline policies are documents too: [{ name, policy }].
  const inline = resource.type === "aws:iam/role:Role" ? at(resource.props, "inlinePolicies") : undefined;
  if (Array.isArray(inline)) {
    inline.forEach((p: unknown, i) => {
      const document = at(p, "policy");
      if (document !== undefined && document !== null && document !== "") out.push(...checkDocument(document, `inlinePolicies[${i}].policy`));
    });
  }
  return out.map((m) => `${who}: ${m}`);
}
