-- Custom migration (drizzle-kit generate --custom): room on every page of scim_users, the table the IdPs update
-- most, so that an update which changes no indexed column (a user's name, title, phone number, `active`) can put the
-- new row version on the same page and skip all five of the table's indexes: a heap-only tuple (PostgreSQL docs,
-- "Heap-Only Tuples (HOT)"; fillfactor among CREATE TABLE's storage parameters). Packed full, as a sync leaves the
-- pages, 29 % of its updates wrote a new entry into every index (`npm run bench`, U=3,000: 1,178 of 1,650 updates
-- heap-only); with the room, 1,648 of 1,650. The users table gains nothing from the same: most of its updates
-- change an indexed column (role and status, which its admins' index is partial on). Pages written before this
-- keep their fill until they are rewritten.
ALTER TABLE scim_users SET (fillfactor = 80);
