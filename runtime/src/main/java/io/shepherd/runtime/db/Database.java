package io.shepherd.runtime.db;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.function.Function;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbTransaction;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import org.flywaydb.core.Flyway;

/**
 * The connection pool, the migrations and the Helidon DB client, opened together, with the
 * database's {@link Dialect}. Statements themselves live in the stores.
 */
public final class Database implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Database.class.getName());
    private final HikariDataSource dataSource;
    private final DbClient client;
    private final Dialect dialect;
    private final String url;
    private final List<Replica> replicas;
    private volatile boolean migrated;

    /** A read replica: its own small pool, used for reads that may lag a little. */
    private record Replica(String url, HikariDataSource dataSource, DbClient client) {
    }

    private Database(HikariDataSource dataSource, DbClient client, Dialect dialect, String url, List<Replica> replicas) {
        this.dataSource = dataSource;
        this.client = client;
        this.dialect = dialect;
        this.url = url;
        this.replicas = replicas;
    }

    /**
     * Opens the pool without touching the database: the runtime starts even when the database is
     * not there yet. {@link #migrate()} brings the schema up to date once it is.
     */
    public static Database open(DatabaseSettings settings) {
        Dialect dialect = Dialects.forUrl(settings.url());
        HikariDataSource dataSource = new HikariDataSource(pool(settings, dialect, settings.url(), "shepherd",
                settings.poolSize()));
        List<Replica> replicas = new java.util.ArrayList<>();
        try {
            DbClient client = client(dataSource);
            for (String replicaUrl : settings.replicas()) {
                HikariConfig config = pool(settings, dialect, replicaUrl, "shepherd-replica",
                        Math.max(2, settings.poolSize() / 2));
                config.setReadOnly(true);
                // a replica that does not answer quickly is skipped for the primary
                config.setConnectionTimeout(Math.min(1000, settings.connectTimeout().toMillis()));
                HikariDataSource replicaSource = new HikariDataSource(config);
                replicas.add(new Replica(replicaUrl, replicaSource, client(replicaSource)));
            }
            return new Database(dataSource, client, dialect, settings.url(), List.copyOf(replicas));
        } catch (RuntimeException e) {
            replicas.forEach(r -> r.dataSource().close());
            dataSource.close();
            throw e;
        }
    }

    private static HikariConfig pool(DatabaseSettings settings, Dialect dialect, String url, String name, int size) {
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(url);
        if (settings.username() != null) {
            hikari.setUsername(settings.username());
        }
        if (settings.password() != null) {
            hikari.setPassword(settings.password());
        }
        hikari.setPoolName(name);
        hikari.setMaximumPoolSize(size);
        hikari.setMinimumIdle(Math.min(2, size));
        dialect.configurePool(hikari);
        // Fail fast while the database is away, so callers get a 503 instead of hanging.
        hikari.setConnectionTimeout(settings.connectTimeout().toMillis());
        hikari.setValidationTimeout(Math.min(1000, settings.connectTimeout().toMillis()));
        // Start even when the database is not there yet: readiness reports it, migrations retry.
        hikari.setInitializationFailTimeout(-1);
        return hikari;
    }

    private static DbClient client(HikariDataSource dataSource) {
        return JdbcClientBuilder.create()
                .connectionPool(() -> {
                    try {
                        return dataSource.getConnection();
                    } catch (SQLException e) {
                        throw new DbClientException("Cannot get a database connection", e);
                    }
                })
                .build();
    }

    /**
     * Runs the pending migrations (Flyway: versioned, locked against concurrent replicas). Throws
     * when the database cannot be reached or a migration fails; {@link #migrated()} is true after.
     */
    public void migrate() {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .placeholders(dialect.migrationPlaceholders())
                .load()
                .migrate();
        migrated = true;
    }

    /** Whether the schema is known to be up to date: until then the API answers 503. */
    public boolean migrated() {
        return migrated;
    }

    public Dialect dialect() {
        return dialect;
    }

    public String url() {
        return url;
    }

    /**
     * A read that may be served by a replica (lists, counts, events): tried on each replica in
     * turn, and on the primary when no replica can answer — because it cannot be reached, or
     * because it has not replayed the latest migration yet (a table or column it does not have).
     * Without replicas, the primary.
     */
    public <T> T read(Function<DbExecute, T> query) {
        for (Replica replica : replicas) {
            try {
                return query.apply(replica.client().execute());
            } catch (RuntimeException e) {
                if (isUnavailable(e)) {
                    LOG.log(System.Logger.Level.DEBUG, "Replica " + replica.url() + " unavailable; reading elsewhere");
                } else if (isSchemaBehind(e)) {
                    LOG.log(System.Logger.Level.INFO, "Replica " + replica.url() + " has not caught up with the "
                            + "schema yet; reading elsewhere");
                } else {
                    throw e;
                }
            }
        }
        return query.apply(execute());
    }

    /**
     * True when a statement failed for a table or column the database does not have (SQLSTATE
     * 42P01, 42703): on a read replica, one that has not replayed the latest migration yet.
     */
    static boolean isSchemaBehind(Throwable failure) {
        for (Throwable t = failure; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof SQLException sql && ("42P01".equals(sql.getSQLState()) || "42703".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    /** Statements that each run on their own connection, in auto-commit. */
    public DbExecute execute() {
        return client.execute();
    }

    /** Runs work in one transaction: committed when it returns, rolled back when it throws. */
    public <T> T inTransaction(Function<DbTransaction, T> work) {
        DbTransaction tx = client.transaction();
        T result;
        try {
            result = work.apply(tx);
        } catch (RuntimeException | Error e) {
            try {
                tx.rollback();
            } catch (RuntimeException rollbackFailure) {
                e.addSuppressed(rollbackFailure);
            }
            throw e;
        }
        tx.commit();
        return result;
    }

    /** A raw connection from the pool, for the few things the DB client does not cover. */
    public Connection connection() throws SQLException {
        return dataSource.getConnection();
    }

    public HikariDataSource dataSource() {
        return dataSource;
    }

    /** True when the failure means the database could not be reached, rather than a bad statement. */
    public static boolean isUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                // 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot connect now
                if (state.startsWith("08") || state.startsWith("57P")) {
                    return true;
                }
            }
            if (t instanceof java.net.ConnectException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /** True when the failure is a unique-constraint violation (same SQLSTATE on both databases). */
    public static boolean isUniqueViolation(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        try {
            client.close();
            for (Replica replica : replicas) {
                replica.client().close();
                replica.dataSource().close();
            }
        } finally {
            dataSource.close();
        }
    }
}
