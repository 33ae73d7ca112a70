package io.shepherd.runtime;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.Map;

import io.shepherd.runtime.testing.Http;
import io.shepherd.runtime.testing.TestDatabase;
import io.shepherd.runtime.testing.TestRuntime;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.Parameter;

/**
 * Each test gets its own database (H2 or PostgreSQL, by the class parameter) and its own
 * runtime on a free port.
 */
abstract class ApiTestBase {
    @Parameter
    String databaseKind;

    TestDatabase db;
    TestRuntime runtime;
    Http http;

    /** Extra configuration for the runtime under test. */
    Map<String, String> overrides() {
        return Map.of();
    }

    /** The runtime's clock; a test may hand it a {@code MutableClock}. */
    java.time.Clock clock() {
        return java.time.Clock.systemUTC();
    }

    @BeforeEach
    void startRuntime() {
        db = TestDatabase.create(databaseKind);
        try {
            runtime = TestRuntime.start(db, overrides(), clock());
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
        http = runtime.http();
    }

    @AfterEach
    void stopRuntime() {
        try {
            if (runtime != null) {
                runtime.close();
            }
        } finally {
            db.close();
        }
    }

    JsonObject submit(Object... fields) {
        Http.Response r = http.post("/v1/jobs", TestRuntime.CLIENT, Http.obj(fields));
        if (r.status() != 201) {
            throw new AssertionError("submit failed: " + r);
        }
        return r.json();
    }

    /** The job's row as the database has it, read directly, not through the runtime. */
    Map<String, Object> row(String jobId) throws Exception {
        try (Connection c = db.connect();
             PreparedStatement ps = c.prepareStatement("SELECT status, attempt, claimed_by, lease_token, result, "
                     + "last_error, lease_expires_at FROM jobs WHERE id = ?")) {
            ps.setString(1, jobId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                Map<String, Object> row = new HashMap<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    if (v instanceof java.sql.Clob clob) {
                        v = clob.getSubString(1, (int) clob.length());
                    }
                    row.put(rs.getMetaData().getColumnLabel(i).toLowerCase(), v);
                }
                return row;
            }
        }
    }

    long count(String sql, Object... params) throws Exception {
        try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                ps.setObject(i + 1, params[i]);
            }
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
