package io.shepherd.runtime.db;

import java.util.List;

import io.shepherd.runtime.db.h2.H2Dialect;
import io.shepherd.runtime.db.postgres.PostgresDialect;

/**
 * The databases Shepherd speaks. A third one (say MySQL 8, which has {@code SKIP LOCKED}) is a
 * package under {@code db/} with its {@link Dialect} class and its tests, and one more entry here.
 */
public final class Dialects {
    /** Asked in turn whether a URL is theirs. */
    public static final List<Dialect> KNOWN = List.of(new PostgresDialect(), new H2Dialect());

    private Dialects() {
    }

    /** The dialect of this JDBC URL; {@link IllegalArgumentException} for a database Shepherd does not speak. */
    public static Dialect forUrl(String jdbcUrl) {
        for (Dialect dialect : KNOWN) {
            if (dialect.accepts(jdbcUrl)) {
                return dialect;
            }
        }
        throw new IllegalArgumentException("Unsupported database URL (use jdbc:postgresql: or jdbc:h2:): " + jdbcUrl);
    }
}
