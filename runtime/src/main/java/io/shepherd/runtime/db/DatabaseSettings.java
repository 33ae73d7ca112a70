package io.shepherd.runtime.db;

import java.time.Duration;
import java.util.Objects;

/** Where the database is and how to reach it. */
public record DatabaseSettings(String url, String username, String password, int poolSize,
                               Duration connectTimeout, java.util.List<String> replicas) {
    public DatabaseSettings {
        replicas = java.util.List.copyOf(replicas);
        Objects.requireNonNull(url, "db.url");
        if (poolSize < 1) {
            throw new IllegalArgumentException("db.pool-size must be at least 1, was " + poolSize);
        }
    }

    /** The embedded default: an H2 file under the data directory, speaking PostgreSQL's dialect. */
    public static String h2Url(java.nio.file.Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("shepherd")
                + ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;LOCK_TIMEOUT=10000";
    }

    /** Accepts JDBC URLs and the {@code postgres://user:pass@host:port/db} form that platforms hand out. */
    public static DatabaseSettings normalize(DatabaseSettings s) {
        String url = s.url();
        if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
            java.net.URI uri = java.net.URI.create(url);
            String user = s.username();
            String password = s.password();
            if (uri.getUserInfo() != null) {
                String[] parts = uri.getUserInfo().split(":", 2);
                user = user == null ? parts[0] : user;
                password = password == null && parts.length > 1 ? parts[1] : password;
            }
            String jdbc = "jdbc:postgresql://" + uri.getHost() + (uri.getPort() > 0 ? ":" + uri.getPort() : "")
                    + uri.getPath() + (uri.getQuery() == null ? "" : "?" + uri.getQuery());
            return new DatabaseSettings(jdbc, user, password, s.poolSize(), s.connectTimeout(),
                    s.replicas());
        }
        return s;
    }
}
