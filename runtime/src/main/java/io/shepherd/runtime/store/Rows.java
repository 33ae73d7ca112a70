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

}
