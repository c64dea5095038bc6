/* What SQLite spends per stored event, one row per INSERT statement against several: the events
 * table and its id index as aw-server made them while each row held its data text (WAL,
 * synchronous=NORMAL, foreign keys on), 1,000-row transactions of window events. Built and run under callgrind by
 * scripts/bench/insert_statement_cost.sh, which prints instructions per row. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void run(sqlite3 *db, const char *sql) {
    char *error = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &error) != SQLITE_OK) {
        fprintf(stderr, "%s: %s\n", sql, error);
        exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: %s DATABASE ROWS_PER_STATEMENT TRANSACTIONS\n", argv[0]);
        return 2;
    }
    const char *path = argv[1];
    int perStatement = atoi(argv[2]), transactions = atoi(argv[3]), batch = 1000;
    if (perStatement < 1 || perStatement > 100 || batch % perStatement != 0 || transactions < 1) {
        fprintf(stderr, "ROWS_PER_STATEMENT must divide 1000 (1 to 100); TRANSACTIONS at least 1\n");
        return 2;
    }
    unlink(path);
    sqlite3 *db;
    if (sqlite3_open(path, &db) != SQLITE_OK) return 1;
    run(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;");
    run(db, "CREATE TABLE buckets (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE NOT NULL);"
            "INSERT INTO buckets (name) VALUES ('window');"
            "CREATE TABLE events (bucketrow INTEGER NOT NULL REFERENCES buckets(id),"
            " starttime INTEGER NOT NULL, endtime INTEGER NOT NULL, id INTEGER NOT NULL, data TEXT NOT NULL,"
            " PRIMARY KEY (bucketrow, starttime ASC, endtime DESC, id DESC)) WITHOUT ROWID;"
            "CREATE UNIQUE INDEX events_id ON events (id);");
    char sql[4096] = "INSERT INTO events (id, bucketrow, starttime, endtime, data) VALUES (?, ?, ?, ?, ?)";
    for (int row = 1; row < perStatement; row++) strcat(sql, ", (?, ?, ?, ?, ?)");
    sqlite3_stmt *insert;
    if (sqlite3_prepare_v2(db, sql, -1, &insert, NULL) != SQLITE_OK) {
        fprintf(stderr, "%s\n", sqlite3_errmsg(db));
        return 1;
    }
    static char texts[1000][64];
    long long id = 1;
    for (int transaction = 0; transaction < transactions; transaction++) {
        run(db, "BEGIN IMMEDIATE");
        for (int first = 0; first < batch; first += perStatement) {
            sqlite3_reset(insert);
            for (int row = 0; row < perStatement; row++, id++) {
                int column = row * 5;
                char *text = texts[first + row];
                int length = snprintf(text, sizeof texts[0], "{\"app\":\"app%lld\",\"title\":\"title %lld\"}",
                                      id % 40, id % 3000);
                long long start = (1600000000LL + 10 * id) * 1000000000LL;
                sqlite3_bind_int64(insert, column + 1, id);
                sqlite3_bind_int64(insert, column + 2, 1);
                sqlite3_bind_int64(insert, column + 3, start);
                sqlite3_bind_int64(insert, column + 4, start + 5000000000LL);
                sqlite3_bind_text(insert, column + 5, text, length, SQLITE_STATIC);
            }
            if (sqlite3_step(insert) != SQLITE_DONE) {
                fprintf(stderr, "%s\n", sqlite3_errmsg(db));
                return 1;
            }
        }
        run(db, "COMMIT");
    }
    sqlite3_finalize(insert);
    sqlite3_close(db);
    return 0;
}
