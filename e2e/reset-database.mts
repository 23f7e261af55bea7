// Recreates the PostgreSQL database the e2e server on DATABASE_URL uses, so each run starts empty.
import postgres from "postgres";

const url = process.env.DATABASE_URL;
if (!url) throw new Error("DATABASE_URL is not set");
const name = new URL(url).pathname.slice(1);
if (!/^sally_e2e\w*$/.test(name)) throw new Error(`refusing to reset ${name}: e2e databases are named sally_e2e*`);
const admin = new URL(url);
admin.pathname = "/postgres";
const sql = postgres(admin.toString(), { max: 1, onnotice: () => {} });
await sql.unsafe(`drop database if exists ${name} with (force)`);
await sql.unsafe(`create database ${name}`);
await sql.end();
