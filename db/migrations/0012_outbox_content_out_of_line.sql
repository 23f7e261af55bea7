-- Custom migration (drizzle-kit generate --custom): an email's content (subject, text, html) moves out of the
-- outbox row into the table's TOAST storage as soon as the row passes 256 bytes, where it would stay inline,
-- compressed, up to about 2 KB (PostgreSQL docs, "TOAST"; toast_tuple_target among CREATE TABLE's storage
-- parameters). The content is written once, but every row is updated twice (its claim, its outcome), and an update
-- writes a whole new row version: with the content inline, the 11,367 emails of a sync of 10,000 users (`npm run
-- bench`) left 35,006 row versions on 2,491 pages, which every drain's claim and outcome read through (1.54 million
-- buffer reads for 1,747 claims); out of line, where a new version carries only a pointer to the unchanged content,
-- 34,433 versions on 656 pages (197,000 buffer reads for 1,748 claims).
-- Rows written before this keep their layout until they are rewritten.
ALTER TABLE email_outbox SET (toast_tuple_target = 256);
