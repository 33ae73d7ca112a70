package io.shepherd.runtime.store;

import java.sql.Clob;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.helidon.dbclient.DbClient;
import io.helidon.dbclient.DbClientException;
import io.helidon.dbclient.DbExecute;
import io.helidon.dbclient.DbRow;
import io.helidon.dbclient.DbTransaction;
import io.helidon.dbclient.jdbc.JdbcClientBuilder;
import org.flywaydb.core.Flyway;

/**
 * The connection pool, the migrations and the Helidon DB client, opened together.
 * Statements themselves live in the stores.
 */
public final class Database implements AutoCloseable {
    private final HikariDataSource dataSource;
    private final DbClient client;
    private final Dialect dialect;
    private final String url;
    private volatile boolean migrated;

    private Database(HikariDataSource dataSource, DbClient client, Dialect dialect, String url) {
        this.dataSource = dataSource;
        this.client = client;
        this.dialect = dialect;
        this.url = url;
    }

    /**
     * Opens the pool without touching the database: the runtime starts even when the database is
     * not there yet. {@link #migrate()} brings the schema up to date once it is.
     */
    public static Database open(DatabaseSettings settings) {
        Dialect dialect = Dialect.forUrl(settings.url());
        HikariConfig hikari = new HikariConfig();
        hikari.setJdbcUrl(settings.url());
        if (settings.username() != null) {
            hikari.setUsername(settings.username());
        }
        if (settings.password() != null) {
            hikari.setPassword(settings.password());
        }
        hikari.setPoolName("shepherd");
        hikari.setMaximumPoolSize(settings.poolSize());
        hikari.setMinimumIdle(Math.min(2, settings.poolSize()));
        // Fail fast while the database is away, so callers get a 503 instead of hanging.
        hikari.setConnectionTimeout(settings.connectTimeout().toMillis());
        hikari.setValidationTimeout(Math.min(1000, settings.connectTimeout().toMillis()));
        // Start even when the database is not there yet: readiness reports it, migrations retry.
        hikari.setInitializationFailTimeout(-1);
        HikariDataSource dataSource = new HikariDataSource(hikari);
        try {
            DbClient client = JdbcClientBuilder.create()
                    .connectionPool(() -> {
                        try {
                            return dataSource.getConnection();
                        } catch (SQLException e) {
                            throw new DbClientException("Cannot get a database connection", e);
                        }
                    })
                    .build();
            return new Database(dataSource, client, dialect, settings.url());
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
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

    public DbClient client() {
        return client;
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

    /** Reads a whole query result and closes it (a DB client stream holds its connection until closed). */
    public static <T> List<T> list(Stream<DbRow> rows, Function<DbRow, T> mapper) {
        try (rows) {
            return rows.map(mapper).toList();
        }
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

    private static Object value(DbRow row, String column) {
        return row.column(column).asOptional().orElse(null);
    }

    static String string(DbRow row, String column) {
        Object value = value(row, column);
        if (value == null) {
            return null;
        }
        if (value instanceof Clob clob) {
            try {
                return clob.getSubString(1, (int) clob.length());
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot read column " + column, e);
            }
        }
        return value.toString();
    }

    static long longValue(DbRow row, String column) {
        return ((Number) value(row, column)).longValue();
    }

    static Long nullableLong(DbRow row, String column) {
        Object value = value(row, column);
        return value == null ? null : ((Number) value).longValue();
    }

    static int intValue(DbRow row, String column) {
        return ((Number) value(row, column)).intValue();
    }

    static boolean booleanValue(DbRow row, String column) {
        Object value = value(row, column);
        return value instanceof Boolean b ? b : value != null && Boolean.parseBoolean(value.toString());
    }

    @Override
    public void close() {
        try {
            client.close();
        } finally {
            dataSource.close();
        }
    }
}
