// RFC 7644 §3.4.2.2 filters and §3.4.2.3 sortBy, compiled to parameterised SQL over scim_users / scim_groups.
// Every value and every jsonb key is a bound parameter; SQL text comes only from this module.
import { sql, type SQL } from "drizzle-orm";
import { scimGroupMembers } from "@/db/schema";
import { ValidationError } from "@/lib/errors";
import {
  defaultSubAttribute,
  elementOperand,
  membership,
  membershipOperand,
  resolveTarget,
} from "./filter-attributes";
import { compare, present, sortKey, sqlValue, type Operand } from "./filter-compare";
import { invalidFilter, parseFilter, type Compare, type Filter, type Suffix, type ValuePath } from "./filter-parse";
import { findSubAttribute, resolvePath, type Attribute, type ResourceKind } from "./schemas";

/** How attribute expressions are read: from the resource, from one element of a complex attribute, or from a membership row. */
type Scope = {
  attribute(node: Compare | Suffix): SQL;
  valuePath(node: ValuePath): SQL;
};

/** Compiles a SCIM filter for Users or Groups into a WHERE fragment over scimUsers / scimGroups. Throws ValidationError(…, "invalidFilter"). */
export function compileFilter(kind: ResourceKind, filter: string): SQL {
  return compileNode(resourceScope(kind), parseFilter(filter));
}

function compileNode(scope: Scope, node: Filter): SQL {
  switch (node.op) {
    case "and":
    case "or":
      return sql`(${sql.join(
        node.filters.map((f) => compileNode(scope, f)),
        node.op === "and" ? sql` and ` : sql` or `,
      )})`;
    case "not":
      // A comparison with an absent attribute is SQL null; `not` must still treat it as false.
      return sql`(not coalesce(${compileNode(scope, node.filter)}, false))`;
    case "[]":
      return scope.valuePath(node);
    default:
      return scope.attribute(node);
  }
}

const wholeNode = (node: SQL): Operand => ({ source: "json", base: node, keys: [], type: "complex", caseExact: false });

function test(operand: Operand, node: Compare | Suffix): SQL {
  return node.op === "pr" ? present(operand) : compare(operand, node.op, node.compValue);
}

/** RFC 7644 §3.4.2.2: a multi-valued attribute matches when any one element matches every condition on it. */
function anyElement(array: SQL, condition: (element: SQL) => SQL): SQL {
  return sql`exists (select 1 from ${elements(array)} as e(item) where ${condition(sql`e.item`)})`;
}

function elements(array: SQL): SQL {
  return sql`jsonb_array_elements(case when jsonb_typeof(${array}) = 'array' then ${array} else '[]'::jsonb end)`;
}

function anyMembership(kind: ResourceKind, condition: SQL | null): SQL {
  const { owned } = membership(kind);
  return sql`exists (select 1 from ${scimGroupMembers} where ${owned}${condition ? sql` and ${condition}` : sql``})`;
}

function resourceScope(kind: ResourceKind): Scope {
  return {
    attribute(node) {
      const target = resolveTarget(kind, node.attrPath);
      switch (target.kind) {
        case "operand":
          return test(target.operand, node);
        case "object":
          if (node.op !== "pr") throw invalidFilter(`"${node.attrPath}" needs a sub-attribute (RFC 7644 §3.4.2.2)`);
          return present(wholeNode(target.node));
        case "elements": {
          if (!target.sub && node.op === "pr") return present(wholeNode(target.node));
          const sub = target.sub ?? defaultSubAttribute(target.attribute);
          return anyElement(target.node, (e) => test(elementOperand(target.attribute, e, sub.name), node));
        }
        case "membership":
          if (!target.sub && node.op === "pr") return anyMembership(kind, null);
          return anyMembership(kind, test(membershipOperand(kind, target.sub?.name ?? "value"), node));
        case "unsupported":
          throw invalidFilter(target.reason);
      }
    },
    valuePath(node) {
      const target = resolveTarget(kind, node.attrPath);
      switch (target.kind) {
        case "elements":
          if (target.sub) break;
          return anyElement(target.node, (e) => compileNode(elementScope(target.attribute, e), node.valFilter));
        case "object":
          return compileNode(elementScope(target.attribute, target.node), node.valFilter);
        case "membership":
          if (target.sub) break;
          return anyMembership(kind, compileNode(membershipScope(kind), node.valFilter));
      }
      throw invalidFilter(`"${node.attrPath}[…]" needs a complex attribute (RFC 7644 §3.4.2.2)`);
    },
  };
}

function elementScope(attribute: Attribute, element: SQL): Scope {
  return {
    attribute: (node) => test(elementOperand(attribute, element, node.attrPath), node),
    valuePath: () => {
      throw invalidFilter("Value paths cannot be nested");
    },
  };
}

function membershipScope(kind: ResourceKind): Scope {
  return {
    attribute: (node) => test(membershipOperand(kind, node.attrPath), node),
    valuePath: () => {
      throw invalidFilter("Value paths cannot be nested");
    },
  };
}

const invalidSort = (message: string) => new ValidationError(message, "invalidValue");

/**
 * The ORDER BY expression for a sortBy attribute (single-valued attributes; for multi-valued ones use the primary or first value per RFC 7644 §3.4.2.3). Throws ValidationError(…, "invalidValue") for unknown attributes.
 * With `sortOrder` the direction is included (`… asc` / `… desc`); without it the caller wraps the key in asc()/desc().
 */
export function compileSortBy(kind: ResourceKind, sortBy: string, sortOrder?: "ascending" | "descending"): SQL {
  const key = sortKeyOf(kind, sortBy);
  if (!sortOrder) return key;
  return sortOrder === "descending" ? sql`${key} desc` : sql`${key} asc`;
}

function sortKeyOf(kind: ResourceKind, sortBy: string): SQL {
  // Unknown attributes have no type to sort by; reject them before resolveTarget reads them as jsonb.
  if (!resolvePath(kind, sortBy)) throw invalidSort(`Cannot sort by the unknown attribute "${sortBy}"`);
  const target = resolveTarget(kind, sortBy);
  if (target.kind === "operand") return sortKey(target.operand);
  const sub = target.kind === "elements" ? (target.sub ?? findSubAttribute(target.attribute, "value")) : undefined;
  if (target.kind !== "elements" || !sub) throw invalidSort(`Cannot sort by "${sortBy}"`);
  const element = elementOperand(target.attribute, sql`e.item`, sub.name);
  // RFC 7644 §3.4.2.3: a multi-valued attribute sorts by its primary value, else by its first.
  const first = sql`(select ${sqlValue(element, element.type)} from ${elements(target.node)} with ordinality as e(item, n) order by coalesce(e.item -> 'primary' = 'true'::jsonb, false) desc, e.n limit 1)`;
  return sortKey({ source: "column", sql: first, type: sub.type, caseExact: sub.caseExact ?? false });
}
