package io.shepherd.runtime.store;

import java.sql.Clob;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import io.helidon.dbclient.DbRow;

/** Reading columns of the DB client's rows the same way on every database (H2 hands text out as a CLOB). */
final class Rows {
    private Rows() {
    }

    /** Reads a whole query result and closes it (a DB client stream holds its connection until closed). */
    static <T> List<T> list(Stream<DbRow> rows, Function<DbRow, T> mapper) {
        try (rows) {
            return rows.map(mapper).toList();
        }
    }

    /** Reads every row of a JDBC result set into {@code into}, and closes it. */
    static <T> void addAll(java.sql.ResultSet rows, java.util.Collection<T> into, Function<Columns, T> mapper)
            throws SQLException {
        try (rows) {
            Columns columns = of(rows);
            while (rows.next()) {
                into.add(mapper.apply(columns));
            }
        }
    }

    /** A row's columns by name: a DB client row, or a JDBC result set on its current row. */
    @FunctionalInterface
    interface Columns {
        Object get(String column);
    }

    static Columns of(DbRow row) {
        return column -> row.column(column).asOptional().orElse(null);
    }

    static Columns of(java.sql.ResultSet rows) {
        return column -> {
            try {
                return rows.getObject(column);
            } catch (SQLException e) {
                throw new IllegalStateException("Cannot read column " + column, e);
            }
        };
    }

    static String string(DbRow row, String column) {
        return string(of(row), column);
    }

    static String string(Columns row, String column) {
        Object value = row.get(column);
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
        return longValue(of(row), column);
    }

    static long longValue(Columns row, String column) {
        return ((Number) row.get(column)).longValue();
    }

    static Long nullableLong(DbRow row, String column) {
        return nullableLong(of(row), column);
    }

    static Long nullableLong(Columns row, String column) {
        Object value = row.get(column);
        return value == null ? null : ((Number) value).longValue();
    }

    static int intValue(DbRow row, String column) {
        return intValue(of(row), column);
    }

    static int intValue(Columns row, String column) {
        return ((Number) row.get(column)).intValue();
    }

    static boolean booleanValue(DbRow row, String column) {
        return booleanValue(of(row), column);
    }

    static boolean booleanValue(Columns row, String column) {
        Object value = row.get(column);
        return value instanceof Boolean b ? b : value != null && Boolean.parseBoolean(value.toString());
    }
}
