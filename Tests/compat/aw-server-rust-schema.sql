-- aw-server-rust's SQLite schema, version 5, for the databases
-- the import test and scripts/bench/legacy_import.py make.
CREATE TABLE buckets (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE NOT NULL, type TEXT NOT NULL,
    client TEXT NOT NULL, hostname TEXT NOT NULL, created TEXT NOT NULL, data_deprecated TEXT DEFAULT '{}',
    data TEXT NOT NULL DEFAULT '{}');
CREATE INDEX bucket_id_index ON buckets(id);
CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, bucketrow INTEGER NOT NULL REFERENCES buckets(id),
    starttime INTEGER NOT NULL, endtime INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX events_bucketrow_starttime_endtime_index ON events(bucketrow, starttime DESC, endtime);
CREATE TABLE key_value (key TEXT PRIMARY KEY, value TEXT, last_modified NUMBER NOT NULL);
PRAGMA user_version = 5;
