package io.shepherd.runtime.store;

import java.util.Locale;
import java.util.Map;

/**
 * Everything that differs between PostgreSQL and embedded H2, in one place.
 * The schema and every other statement are shared.
 */
public enum Dialect {
    POSTGRESQL("TEXT"),
    H2("CHARACTER LARGE OBJECT");

    private final String textType;

    Dialect(String textType) {
        this.textType = textType;
    }

    public static Dialect forUrl(String jdbcUrl) {
        String url = jdbcUrl.toLowerCase(Locale.ROOT);
        if (url.startsWith("jdbc:postgresql:")) {
            return POSTGRESQL;
        }
        if (url.startsWith("jdbc:h2:")) {
            return H2;
        }
        throw new IllegalArgumentException("Unsupported database URL (use jdbc:postgresql: or jdbc:h2:): " + jdbcUrl);
    }

    /** Placeholders for the Flyway migrations, so both databases share one set of scripts. */
    public Map<String, String> migrationPlaceholders() {
        return Map.of("text", textType);
    }

    /**
     * Turns an UPDATE into a statement that yields the updated rows: PostgreSQL appends
     * {@code RETURNING}, H2 reads the {@code FINAL TABLE} of the change.
     */
    public String returning(String update, String columns) {
        return switch (this) {
            case POSTGRESQL -> update + " RETURNING " + columns;
            case H2 -> "SELECT " + columns + " FROM FINAL TABLE (" + update + ")";
        };
    }

    /**
     * Matches {@code id} against a locking subquery that must run exactly once. PostgreSQL may
     * re-run an {@code IN (subquery ... LIMIT n)} per row and lock more than n rows, so it gets
     * {@code ARRAY(...)}, which is evaluated once.
     */
    public String idIn(String lockingSubquery) {
        return switch (this) {
            case POSTGRESQL -> "id = ANY(ARRAY(" + lockingSubquery + "))";
            case H2 -> "id IN (" + lockingSubquery + ")";
        };
    }
}
