package io.shepherd.runtime.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

import io.shepherd.runtime.db.DatabaseSettings;

/**
 * A database of the test's own: a fresh PostgreSQL database on the local server (dropped
 * afterwards), or a fresh H2 file in a temporary directory. Tests never see each other's rows.
 */
public final class TestDatabase implements AutoCloseable {
    public static final String PG_HOST = System.getProperty("shepherd.test.pg.host", "127.0.0.1");
    public static final int PG_PORT = Integer.getInteger("shepherd.test.pg.port", 5432);
    public static final String PG_USER = System.getProperty("shepherd.test.pg.user", "postgres");

    private final String kind;
    private final String url;
    private final String pgName;
    private final Path dataDir;

    private TestDatabase(String kind, String url, String pgName, Path dataDir) {
        this.kind = kind;
        this.url = url;
        this.pgName = pgName;
        this.dataDir = dataDir;
    }

    /** {@code kind} is {@code h2} or {@code postgres}. */
    public static TestDatabase create(String kind) {
        try {
            Path dataDir = Files.createTempDirectory("shepherd-test-");
            return switch (kind.toLowerCase(Locale.ROOT)) {
                case "h2" -> new TestDatabase("h2", DatabaseSettings.h2Url(dataDir), null, dataDir);
                case "postgres" -> {
                    String name = "shepherd_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
                    try (Connection c = admin(); Statement s = c.createStatement()) {
                        s.execute("CREATE DATABASE " + name);
                    }
                    yield new TestDatabase("postgres", pgUrl(name), name, dataDir);
                }
                default -> throw new IllegalArgumentException(kind);
            };
        } catch (Exception e) {
            throw new IllegalStateException("Cannot create a " + kind + " test database", e);
        }
    }

    /** A database that already exists elsewhere (e.g. a {@link TestCluster}); closing keeps it. */
    public static TestDatabase existing(String url) {
        try {
            return new TestDatabase("postgres", url, null, Files.createTempDirectory("shepherd-test-"));
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String pgUrl(String database) {
        return "jdbc:postgresql://" + PG_HOST + ":" + PG_PORT + "/" + database + "?user=" + PG_USER;
    }

    private static Connection admin() throws SQLException {
        return DriverManager.getConnection(pgUrl("postgres"));
    }

    public String kind() {
        return kind;
    }

    public boolean isPostgres() {
        return pgName != null;
    }

    public String url() {
        return url;
    }

    public Path dataDir() {
        return dataDir;
    }

    /** A direct connection, to check what the database says independently of the runtime. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /**
     * Makes the database refuse every connection and cuts the open ones: to the runtime it is as
     * if the database went away.
     */
    public void cutOff() throws SQLException {
        requirePostgres();
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + pgName + " ALLOW_CONNECTIONS false");
            s.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + pgName + "'");
        }
    }

    public void restore() throws SQLException {
        requirePostgres();
        try (Connection c = admin(); Statement s = c.createStatement()) {
            s.execute("ALTER DATABASE " + pgName + " ALLOW_CONNECTIONS true");
        }
    }

    private void requirePostgres() {
        if (pgName == null) {
            throw new IllegalStateException("only a PostgreSQL test database can be cut off");
        }
    }

    @Override
    public void close() {
        if (pgName != null) {
            try (Connection c = admin(); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + pgName + " WITH (FORCE)");
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot drop test database " + pgName, e);
            }
        }
        deleteTree(dataDir);
    }

    static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (Exception ignored) {
            // best effort: a temp directory
        }
    }
}
