// SCIM users made with SQL for the bench's probes and handler operations, where creating them over SCIM would take
// longer than what is measured.
import type { Sql } from "postgres";

/**
 * Inserts the SCIM users numbered `from` to `to` of a tenant (`<prefix><n>@<domain>`, with the resource an Entra
 * create would store, a microsecond apart as users a sync creates one after the other), each with its Sally user
 * without access, in one statement; returns their ids in creation order.
 */
export async function insertScimUsers(
  sql: Sql,
  tenantId: string,
  { prefix, domain, from, to }: { prefix: string; domain: string; from: number; to: number },
): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    with made as (
      insert into scim_users (tenant_id, user_name, external_id, display_name, email, active, resource, created_at)
      select ${tenantId}, ${prefix} || i || ${`@${domain}`}, md5(${prefix} || i), 'Bulk User ' || i, ${prefix} || i || ${`@${domain}`}, true,
             jsonb_build_object(
               'schemas', jsonb_build_array('urn:ietf:params:scim:schemas:core:2.0:User'),
               'userName', ${prefix} || i || ${`@${domain}`}, 'externalId', md5(${prefix} || i), 'active', true,
               'displayName', 'Bulk User ' || i, 'name', jsonb_build_object('givenName', 'Bulk', 'familyName', 'User ' || i),
               'emails', jsonb_build_array(jsonb_build_object('type', 'work', 'value', ${prefix} || i || ${`@${domain}`}, 'primary', true))),
             now() + i * interval '1 microsecond'
      from generate_series(${from}::int, ${to}::int) i
      returning id, tenant_id, email, display_name, created_at
    ),
    sally as (
      insert into users (tenant_id, email, name, role, license, status, source, scim_user_id)
      select tenant_id, email, display_name, 'none', 'none', 'deactivated', 'scim', id from made
    )
    select id from made order by created_at, id`;
  return rows.map((r) => r.id);
}
