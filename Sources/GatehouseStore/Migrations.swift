import GatehouseContent
import SQLKit

/// One versioned schema change, applied once, in order, inside a transaction.
struct Migration: Sendable {
    let version: Int
    let name: String
    /// The statements, given the engine (for its spelling of an auto-increment key or a
    /// collation).
    let statements: @Sendable (_ engine: any SQLEngine) -> [String]
}

/// Every migration, oldest first. Append only: never edit one that has shipped.
enum Migrations {
    static let all: [Migration] = [
        Migration(version: 1, name: "foundation") { engine in
            [
                """
                CREATE TABLE workspaces (
                    id TEXT PRIMARY KEY, name TEXT NOT NULL, icon TEXT, plan TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    name TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL, password_hash TEXT NOT NULL,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE UNIQUE INDEX users_email ON users(email)",
                "CREATE INDEX users_workspace ON users(workspace_id)",
                """
                CREATE TABLE integrations (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    name TEXT NOT NULL, kind TEXT NOT NULL, capabilities TEXT NOT NULL, bot_id TEXT NOT NULL UNIQUE,
                    created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX integrations_workspace ON integrations(workspace_id)",
                """
                CREATE TABLE databases (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    title TEXT NOT NULL, parent_page_id TEXT,
                    created_at BIGINT NOT NULL, last_edited_at BIGINT NOT NULL)
                """,
                "CREATE INDEX databases_workspace ON databases(workspace_id)",
                """
                CREATE TABLE pages (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    title TEXT NOT NULL, parent_type TEXT NOT NULL, parent_id TEXT, archived_at BIGINT,
                    created_by TEXT NOT NULL, last_edited_by TEXT NOT NULL,
                    created_at BIGINT NOT NULL, last_edited_at BIGINT NOT NULL)
                """,
                "CREATE INDEX pages_workspace ON pages(workspace_id)",
                "CREATE INDEX pages_parent ON pages(parent_id)",
                """
                CREATE TABLE shares (
                    integration_id TEXT NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
                    resource_id TEXT NOT NULL, resource_type TEXT NOT NULL, created_at BIGINT NOT NULL,
                    PRIMARY KEY (integration_id, resource_id))
                """,
                """
                CREATE TABLE tokens (
                    id TEXT PRIMARY KEY,
                    integration_id TEXT NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
                    kind TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, display_hint TEXT NOT NULL,
                    created_at BIGINT NOT NULL, expires_at BIGINT, revoked_at BIGINT, rotated_from TEXT)
                """,
                "CREATE INDEX tokens_integration ON tokens(integration_id)",
                """
                CREATE TABLE changes (
                    seq \(engine.autoIncrementPrimaryKey), kind TEXT NOT NULL, workspace_id TEXT, integration_id TEXT,
                    token_hash TEXT, created_at BIGINT NOT NULL)
                """,
                "CREATE INDEX changes_created ON changes(created_at)",
            ]
        },
        Migration(version: 2, name: "shared rate limits") { _ in
            [
                """
                CREATE TABLE rate_limits (
                    key TEXT PRIMARY KEY, tat BIGINT NOT NULL, day BIGINT NOT NULL, used BIGINT NOT NULL)
                """
            ]
        },
        Migration(version: 3, name: "audit log") { engine in
            [
                """
                CREATE TABLE audit_events (
                    seq \(engine.autoIncrementPrimaryKey), time BIGINT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, target TEXT,
                    outcome TEXT NOT NULL, ip TEXT, user_agent TEXT, request_id TEXT, details TEXT NOT NULL,
                    prev_hash TEXT NOT NULL, hash TEXT NOT NULL)
                """,
                "CREATE INDEX audit_events_time ON audit_events(time)",
            ]
        },
        Migration(version: 4, name: "token usage") { _ in
            [
                "ALTER TABLE tokens ADD COLUMN last_used_at BIGINT",
                "ALTER TABLE tokens ADD COLUMN last_used_ip TEXT",
                "ALTER TABLE tokens ADD COLUMN last_used_agent TEXT",
                "ALTER TABLE tokens ADD COLUMN use_count BIGINT NOT NULL DEFAULT 0",
            ]
        },
        Migration(version: 5, name: "oauth") { _ in
            [
                "ALTER TABLE integrations ADD COLUMN client_id TEXT",
                "ALTER TABLE integrations ADD COLUMN redirect_uris TEXT",
                "ALTER TABLE integrations ADD COLUMN expiring_tokens BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE integrations ADD COLUMN confidential BIGINT NOT NULL DEFAULT 1",
                "ALTER TABLE integrations ADD COLUMN installed_from TEXT",
                "ALTER TABLE integrations ADD COLUMN owner_user_id TEXT",
                "ALTER TABLE integrations ADD COLUMN owner_type TEXT",
                "CREATE UNIQUE INDEX integrations_client_id ON integrations(client_id)",
                "CREATE INDEX integrations_installed_from ON integrations(installed_from)",
                "ALTER TABLE tokens ADD COLUMN grant_id TEXT",
                "ALTER TABLE tokens ADD COLUMN used_at BIGINT",
                "ALTER TABLE tokens ADD COLUMN successor TEXT",
                "CREATE INDEX tokens_grant ON tokens(grant_id)",
                """
                CREATE TABLE oauth_codes (
                    id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE,
                    integration_id TEXT NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    workspace_id TEXT NOT NULL, owner_type TEXT NOT NULL, redirect_uri TEXT, code_challenge TEXT,
                    resources TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT)
                """,
                "CREATE INDEX oauth_codes_expires ON oauth_codes(expires_at)",
                """
                CREATE TABLE sessions (
                    hash TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL)
                """,
                "CREATE INDEX sessions_expires ON sessions(expires_at)",
            ]
        },
        Migration(version: 6, name: "daily usage") { _ in
            [
                """
                CREATE TABLE usage_daily (
                    integration_id TEXT NOT NULL, day BIGINT NOT NULL, status TEXT NOT NULL, count BIGINT NOT NULL,
                    PRIMARY KEY (integration_id, day, status))
                """
            ]
        },
        Migration(version: 7, name: "browser sessions") { _ in
            [
                "ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT",
                "CREATE INDEX sessions_user ON sessions(user_id)",
                "ALTER TABLE users ADD COLUMN totp_secret TEXT",
                "ALTER TABLE users ADD COLUMN totp_last_step BIGINT",
                """
                CREATE TABLE server_keys (
                    name TEXT PRIMARY KEY, key TEXT NOT NULL, created_at BIGINT NOT NULL)
                """,
            ]
        },
        Migration(version: 8, name: "audit tenancy, checkpoints and failure counters") { _ in
            [
                // The workspaces each event belongs to, tagged when it is written, so that a
                // tenant's view is read newest first from an index and never sees another's.
                "ALTER TABLE audit_events ADD COLUMN workspace_id TEXT",
                "ALTER TABLE audit_events ADD COLUMN related_workspace_id TEXT",
                "CREATE INDEX audit_events_workspace ON audit_events(workspace_id, seq)",
                "CREATE INDEX audit_events_related ON audit_events(related_workspace_id, seq)",
                // Old events, best effort: by the acting person, else by what was acted on.
                """
                UPDATE audit_events SET workspace_id =
                    (SELECT workspace_id FROM users WHERE users.id = substr(audit_events.actor, 6))
                WHERE workspace_id IS NULL AND actor LIKE 'user:%'
                """,
                """
                UPDATE audit_events SET workspace_id =
                    (SELECT workspace_id FROM integrations WHERE integrations.client_id = substr(audit_events.actor, 8))
                WHERE workspace_id IS NULL AND actor LIKE 'client:%'
                """,
                """
                UPDATE audit_events SET workspace_id = COALESCE(
                    (SELECT workspace_id FROM integrations WHERE integrations.id = audit_events.target),
                    (SELECT id FROM workspaces WHERE workspaces.id = audit_events.target),
                    (SELECT workspace_id FROM databases WHERE databases.id = audit_events.target),
                    (SELECT workspace_id FROM pages WHERE pages.id = audit_events.target),
                    (SELECT workspace_id FROM users WHERE users.id = audit_events.target),
                    (SELECT integrations.workspace_id FROM tokens JOIN integrations ON integrations.id = tokens.integration_id
                     WHERE tokens.id = audit_events.target))
                WHERE workspace_id IS NULL AND target IS NOT NULL
                """,
                """
                UPDATE audit_events SET related_workspace_id =
                    (SELECT workspace_id FROM integrations WHERE integrations.id = audit_events.target)
                WHERE related_workspace_id IS NULL AND (actor LIKE 'user:%' OR actor LIKE 'client:%')
                  AND target IS NOT NULL
                """,
                """
                UPDATE audit_events SET related_workspace_id = NULL
                WHERE related_workspace_id IS NOT NULL AND workspace_id IS NOT NULL
                  AND related_workspace_id = workspace_id
                """,
                """
                CREATE TABLE audit_checkpoints (
                    name TEXT PRIMARY KEY, seq BIGINT NOT NULL, hash TEXT NOT NULL, events BIGINT NOT NULL, mac TEXT,
                    updated_at BIGINT NOT NULL)
                """,
                """
                CREATE TABLE audit_failures (
                    action TEXT NOT NULL, ip TEXT NOT NULL, period_start BIGINT NOT NULL, count BIGINT NOT NULL,
                    PRIMARY KEY (action, ip, period_start))
                """,
                "CREATE INDEX audit_failures_period ON audit_failures(period_start)",
            ]
        },
        Migration(version: 9, name: "refresh grant lifetimes") { _ in
            [
                "ALTER TABLE tokens ADD COLUMN grant_expires_at BIGINT",
                "ALTER TABLE tokens ADD COLUMN used_from TEXT",
            ]
        },
        Migration(version: 11, name: "forward authentication") { _ in
            [
                "ALTER TABLE integrations ADD COLUMN scopes TEXT NOT NULL DEFAULT ''",
                "ALTER TABLE integrations ADD COLUMN rate_limit TEXT",
                "ALTER TABLE tokens ADD COLUMN max_uses BIGINT",
                "ALTER TABLE tokens ADD COLUMN uses BIGINT NOT NULL DEFAULT 0",
            ]
        },
        Migration(version: 12, name: "scopes of authorization codes") { _ in
            ["ALTER TABLE oauth_codes ADD COLUMN scopes TEXT"]
        },
        Migration(version: 13, name: "blocks") { _ in
            [
                """
                CREATE TABLE blocks (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    parent_type TEXT NOT NULL, parent_id TEXT NOT NULL, page_id TEXT NOT NULL,
                    position BIGINT NOT NULL, type TEXT NOT NULL, content TEXT NOT NULL,
                    has_children BOOLEAN NOT NULL, in_trash BOOLEAN NOT NULL,
                    created_by TEXT NOT NULL, last_edited_by TEXT NOT NULL,
                    created_at BIGINT NOT NULL, last_edited_at BIGINT NOT NULL)
                """,
                "CREATE INDEX blocks_parent_position ON blocks(parent_id, position)",
                "CREATE INDEX blocks_page ON blocks(page_id)",
            ]
        },
        Migration(version: 14, name: "data sources, page properties and the query index") { _ in
            [
                // A database holds one or more data sources, each with its schema (a
                // `DataSourceSchema` as JSON). A database's first data source has the database's
                // id, so pages whose parent is `database_id` and `data_source_id` name the same row.
                """
                CREATE TABLE data_sources (
                    id TEXT PRIMARY KEY,
                    database_id TEXT NOT NULL REFERENCES databases(id) ON DELETE CASCADE,
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    name TEXT NOT NULL, schema TEXT NOT NULL, trashed_at BIGINT,
                    created_at BIGINT NOT NULL, last_edited_at BIGINT NOT NULL)
                """,
                "CREATE INDEX data_sources_database ON data_sources(database_id, created_at)",
                """
                INSERT INTO data_sources (id, database_id, workspace_id, name, schema, created_at, last_edited_at)
                SELECT id, id, workspace_id, title, '\(DataSourceDefaults.titleOnlySchemaJSON)', created_at, last_edited_at
                FROM databases
                """,
                // A page's property values (`[property id: PropertyValue]` as JSON; NULL: only the
                // title, from `title`), and its unique_id number.
                "ALTER TABLE pages ADD COLUMN properties TEXT",
                "ALTER TABLE pages ADD COLUMN unique_number BIGINT",
                "CREATE INDEX pages_query ON pages(parent_id, archived_at, created_at, id)",
                // The query index: `IndexedValue` rows per page (`PageIndexer`), rewritten with
                // every page write in the same transaction. Filters are EXISTS subqueries on
                // (page_id, property_id); the other indexes serve selective predicates.
                """
                CREATE TABLE page_index (
                    page_id TEXT NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
                    data_source_id TEXT NOT NULL, property_id TEXT NOT NULL,
                    text TEXT, key TEXT, number DOUBLE PRECISION, date_start BIGINT, date_end BIGINT, flag BOOLEAN)
                """,
                "CREATE INDEX page_index_page ON page_index(page_id, property_id)",
                "CREATE INDEX page_index_key ON page_index(data_source_id, property_id, key)",
                "CREATE INDEX page_index_number ON page_index(data_source_id, property_id, number)",
                "CREATE INDEX page_index_date ON page_index(data_source_id, property_id, date_start)",
                // One `SortKey` per page and property (empty values have none), for ORDER BY.
                """
                CREATE TABLE page_sort_keys (
                    page_id TEXT NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
                    data_source_id TEXT NOT NULL, property_id TEXT NOT NULL,
                    number DOUBLE PRECISION, text TEXT,
                    PRIMARY KEY (page_id, property_id))
                """,
                "CREATE INDEX page_sort_keys_number ON page_sort_keys(data_source_id, property_id, number)",
                // Existing pages of databases: their title and timestamps (ASCII lowercasing).
                """
                INSERT INTO page_index (page_id, data_source_id, property_id, text)
                SELECT id, parent_id, 'title', lower(title) FROM pages WHERE parent_type = 'database' AND title <> ''
                """,
                """
                INSERT INTO page_index (page_id, data_source_id, property_id, date_start)
                SELECT id, parent_id, '@created_time', created_at FROM pages WHERE parent_type = 'database'
                """,
                """
                INSERT INTO page_index (page_id, data_source_id, property_id, date_start)
                SELECT id, parent_id, '@last_edited_time', last_edited_at FROM pages WHERE parent_type = 'database'
                """,
                """
                INSERT INTO page_sort_keys (page_id, data_source_id, property_id, text)
                SELECT id, parent_id, 'title', lower(title) FROM pages WHERE parent_type = 'database' AND title <> ''
                """,
            ]
        },
        Migration(version: 15, name: "comments") { _ in
            [
                """
                CREATE TABLE comments (
                    id TEXT PRIMARY KEY,
                    workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
                    parent_type TEXT NOT NULL, parent_id TEXT NOT NULL, page_id TEXT NOT NULL,
                    discussion_id TEXT NOT NULL, rich_text TEXT NOT NULL,
                    display_type TEXT NOT NULL, display_name TEXT,
                    created_by TEXT NOT NULL, created_at BIGINT NOT NULL, last_edited_at BIGINT NOT NULL)
                """,
                "CREATE INDEX comments_parent ON comments(parent_id, created_at, id)",
                "CREATE INDEX comments_discussion ON comments(discussion_id)",
            ]
        },
        Migration(version: 17, name: "the console's workspace view") { _ in
            [
                // The page tree one parent at a time (``WorkspaceBrowseStore``): a workspace's top
                // level, databases under a page, and a page's comments with its blocks'.
                "CREATE INDEX pages_browse ON pages(workspace_id, parent_type, parent_id, created_at, id)",
                "CREATE INDEX databases_browse ON databases(workspace_id, parent_page_id, created_at, id)",
                "CREATE INDEX comments_page ON comments(page_id, created_at, id)",
            ]
        },
        Migration(version: 19, name: "query indexes in sort order, filters answered from the index") { engine in
            [
                // A query sorted by a property walks this index in its order (numbers, then text
                // compared byte by byte as the query's ORDER BY does) and stops at the page's end;
                // the page id in it spares a read of the key's row for each key walked.
                "DROP INDEX page_sort_keys_number",
                "CREATE INDEX page_sort_keys_order ON page_sort_keys(data_source_id, property_id, number, text\(engine.byteOrderCollation), page_id)",
                // A filter's EXISTS on (page, property) reads the value from the index itself
                // (all but text, which is long and tested less often).
                "DROP INDEX page_index_page",
                "CREATE INDEX page_index_page ON page_index(page_id, property_id, key, number, date_start, flag)",
            ]
        },
        Migration(version: 20, name: "children in the order they are listed") { _ in
            [
                // Children are listed by (position, id) from a cursor: an index in that very order
                // is walked and stopped after a page, where (parent, position) left PostgreSQL,
                // its statistics not yet updated after a bulk append, sorting every child.
                "DROP INDEX blocks_parent_position",
                "CREATE INDEX blocks_parent_order ON blocks(parent_id, position, id)",
            ]
        },
        Migration(version: 21, name: "text compared byte by byte") { engine in
            // Identifiers (and every other text) compare byte by byte, as on SQLite: under a
            // locale's collation PostgreSQL compares through the C library's `strcoll` on every
            // step of an index walk (a data source query of ~500 index probes took 2.2–2.6 ms
            // instead of 1.3–1.7). Only the collation changes: no table is rewritten, their
            // indexes are rebuilt.
            engine.byteOrderCollation.isEmpty ? [] : [byteOrderTextColumns(of: tablesAtVersion21)]
        },
        Migration(version: 22, name: "unique_id numbers") { _ in
            // Each data source counts the `unique_id` numbers it gave. Pages created before were
            // left without one: they are numbered now in creation order, after any number a
            // fixture gave.
            ["ALTER TABLE data_sources ADD COLUMN unique_counter BIGINT NOT NULL DEFAULT 0"]
                + SQLStore.numberingSequence.map { before, after in
                    before + " IN (SELECT id FROM data_sources WHERE schema LIKE '%\"type\":\"unique_id\"%')" + after
                }
        },
        Migration(version: 23, name: "page icons and covers") { engine in
            [
                // The icon as the JSON text of `Icon`; the cover as its external URL.
                "ALTER TABLE pages ADD COLUMN icon TEXT\(engine.byteOrderCollation)",
                "ALTER TABLE pages ADD COLUMN cover TEXT\(engine.byteOrderCollation)",
            ]
        },
        Migration(version: 24, name: "children that follow the trash") { _ in
            [
                // A page's `child_page` block follows the page to the trash (its parent lists it
                // only while it is live); a block has children only while one is out of the trash.
                "UPDATE blocks SET in_trash = TRUE WHERE in_trash = FALSE AND id IN (SELECT id FROM pages WHERE archived_at IS NOT NULL)",
                "UPDATE blocks SET has_children = FALSE WHERE has_children = TRUE AND NOT EXISTS (SELECT 1 FROM blocks c WHERE c.parent_id = blocks.id AND c.in_trash = FALSE)",
            ]
        },
        Migration(version: 25, name: "who created databases and data sources") { engine in
            // Databases and data sources were shown as created and last edited by whichever
            // integration asked. Their author is kept now; those stored before are given their
            // workspace's first member, as an admin command gives the pages it writes.
            ["databases", "data_sources"].flatMap { table in
                [
                    "ALTER TABLE \(table) ADD COLUMN created_by TEXT\(engine.byteOrderCollation)",
                    "ALTER TABLE \(table) ADD COLUMN last_edited_by TEXT\(engine.byteOrderCollation)",
                    """
                    UPDATE \(table) SET created_by = (SELECT u.id FROM users u WHERE u.workspace_id = \(table).workspace_id
                        ORDER BY u.created_at, u.id LIMIT 1)
                    """,
                ]
            }
        },
        Migration(version: 26, name: "file uploads") { engine in
            let text = "TEXT\(engine.byteOrderCollation)"
            return [
                // Times in milliseconds; `expires_at` is NULL once the upload was attached.
                """
                CREATE TABLE file_uploads (
                    id \(text) PRIMARY KEY,
                    workspace_id \(text) NOT NULL,
                    created_by \(text) NOT NULL,
                    created_at BIGINT NOT NULL,
                    last_edited_at BIGINT NOT NULL,
                    expires_at BIGINT,
                    status \(text) NOT NULL,
                    mode \(text) NOT NULL,
                    filename \(text),
                    content_type \(text),
                    content_length BIGINT,
                    number_of_parts INTEGER,
                    parts_sent INTEGER NOT NULL DEFAULT 0,
                    external_url \(text),
                    import_error \(text)
                )
                """,
                "CREATE INDEX file_uploads_listing ON file_uploads(created_by, created_at, id)",
                """
                CREATE TABLE file_upload_parts (
                    upload_id \(text) NOT NULL,
                    part_number INTEGER NOT NULL,
                    size BIGINT NOT NULL,
                    content \(engine.binaryType) NOT NULL,
                    PRIMARY KEY (upload_id, part_number)
                )
                """,
            ]
        },
        Migration(version: 27, name: "webhooks") { engine in
            let text = "TEXT\(engine.byteOrderCollation)"
            return [
                // `sealed_token`: the verification token, sealed (it keys every signature), and
                // `token_digest` its SHA-256, both NULL until the server makes the token.
                // `event_types`: comma-separated, empty for all.
                """
                CREATE TABLE webhook_subscriptions (
                    id \(text) PRIMARY KEY,
                    integration_id \(text) NOT NULL,
                    url \(text) NOT NULL,
                    sealed_token \(text),
                    token_digest \(text),
                    event_types \(text) NOT NULL,
                    api_version \(text) NOT NULL,
                    status \(text) NOT NULL,
                    created_at BIGINT NOT NULL,
                    verified_at BIGINT
                )
                """,
                "CREATE INDEX webhook_subscriptions_integration ON webhook_subscriptions(integration_id, created_at)",
                "CREATE INDEX webhook_subscriptions_status ON webhook_subscriptions(status)",
                // The outbox: written with the change it reports, removed when fanned out.
                """
                CREATE TABLE webhook_events (
                    id \(text) PRIMARY KEY,
                    workspace_id \(text) NOT NULL,
                    type \(text) NOT NULL,
                    aggregated BOOLEAN NOT NULL,
                    entity_type \(text) NOT NULL,
                    entity_id \(text) NOT NULL,
                    subject_kind \(text) NOT NULL,
                    subject_id \(text) NOT NULL,
                    authors \(text) NOT NULL,
                    data \(text) NOT NULL,
                    occurred_at BIGINT NOT NULL
                )
                """,
                "CREATE INDEX webhook_events_order ON webhook_events(occurred_at, id)",
                """
                CREATE TABLE webhook_deliveries (
                    id \(text) PRIMARY KEY,
                    subscription_id \(text) NOT NULL,
                    event_id \(text) NOT NULL,
                    event_type \(text) NOT NULL,
                    body \(text) NOT NULL,
                    attempts INTEGER NOT NULL,
                    status \(text) NOT NULL,
                    next_attempt_at BIGINT NOT NULL,
                    claim \(text),
                    claimed_until BIGINT,
                    last_outcome \(text),
                    created_at BIGINT NOT NULL,
                    finished_at BIGINT
                )
                """,
                "CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at)",
                "CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries(subscription_id, created_at)",
                "CREATE INDEX webhook_deliveries_finished ON webhook_deliveries(finished_at)",
            ]
        },
        Migration(version: 28, name: "self-registered OAuth clients") { engine in
            // The address a client registered itself from (RFC 7591), NULL for those an operator
            // made: the consent page says the name is the client's own claim, and the janitor
            // deletes such clients that no one authorized.
            ["ALTER TABLE integrations ADD COLUMN registered_from TEXT\(engine.byteOrderCollation)"]
        },
    ]

    /// The tables as of migration 21. A later migration declares its text columns with
    /// `engine.byteOrderCollation` (a test checks that none compares under a locale).
    static let tablesAtVersion21 = [
        "audit_checkpoints", "audit_events", "audit_failures", "blocks", "changes", "comments", "data_sources",
        "databases", "gatehouse_migrations", "integrations", "oauth_codes", "page_index", "page_sort_keys", "pages",
        "rate_limits", "server_keys", "sessions", "shares", "tokens", "usage_daily", "users", "workspaces",
    ]

    /// PostgreSQL: every text column of `tables` that compares under the database's default
    /// collation is altered to `"C"`, one `ALTER TABLE` per table (its indexes rebuilt once), and
    /// the table analyzed again: the change discards the columns' statistics, and autovacuum
    /// would not gather them until many rows change, leaving the planner blind meanwhile.
    static func byteOrderTextColumns(of tables: [String]) -> String {
        let names = tables.map { "'\($0)'" }.joined(separator: ", ")
        return """
            DO $$
            DECLARE altered record;
            BEGIN
                FOR altered IN
                    SELECT table_name, string_agg(format('ALTER COLUMN %I TYPE TEXT COLLATE "C"', column_name), ', ') AS changes
                    FROM information_schema.columns
                    WHERE table_schema = current_schema() AND data_type = 'text' AND collation_name IS NULL
                        AND table_name IN (\(names))
                    GROUP BY table_name
                LOOP
                    EXECUTE format('ALTER TABLE %I ', altered.table_name) || altered.changes;
                    EXECUTE format('ANALYZE %I', altered.table_name);
                END LOOP;
            END $$
            """
    }
}
