package io.shepherd.runtime.db;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;

import com.zaxxer.hikari.HikariConfig;
import io.helidon.dbclient.DbExecute;
import io.shepherd.runtime.wake.JobSignal;

/**
 * Everything that differs from one database to another, owned by one class per database and
 * chosen once ({@link Dialects#forUrl}), from the URL, when the database is opened: connection
 * set-up, migration placeholders, the few statement shapes that differ, who leads recovery, and
 * how a change is signalled to the other replicas. The schema and every other statement are
 * shared.
 */
public interface Dialect {

    /** For logs: {@code PostgreSQL}, {@code H2}. */
    String name();

    /** Whether this JDBC URL is this database's. */
    boolean accepts(String jdbcUrl);

    /** Whether read replicas of this database ({@code db.replicas}) can serve reads. */
    default boolean servesReadReplicas() {
        return false;
    }

    /** Settings of a connection pool to this database, beyond URL, credentials and sizes. */
    default void configurePool(HikariConfig pool) {
    }

    /** Placeholders for the Flyway migrations, so that every database shares one set of scripts. */
    Map<String, String> migrationPlaceholders();

    /** Turns an UPDATE into a statement that yields the updated rows' {@code columns}. */
    String returning(String update, String columns);

    /** Turns a DELETE into a statement that yields the deleted rows' {@code columns}. */
    String returningDeleted(String delete, String columns);

    /**
     * Turns an UPDATE into one statement that also inserts a row per updated row and yields the
     * updated rows' {@code columns}; {@code insertFromChanged} reads the updated rows as
     * {@code changed}, and its parameters follow the update's. Empty when the database cannot
     * (the caller then runs the two statements).
     */
    default Optional<String> updateAndInsert(String update, String columns, String insertFromChanged) {
        return Optional.empty();
    }

    /**
     * Matches {@code id} against a locking subquery ({@code ... LIMIT n FOR UPDATE SKIP LOCKED}),
     * which must run exactly once.
     */
    String idIn(String lockingSubquery);

    /**
     * The outer re-check, after the claim's locking subquery, that a picked job is still pending
     * (a leading space and a trailing one; blank where locking already re-checks it).
     */
    String claimedStillPending();

    /**
     * Planner settings under which claims run (name to value), so that the claim walks the claim
     * index in order and stops at its limit; none where the planner needs no help.
     */
    default Map<String, String> claimPlanSettings() {
        return Map.of();
    }

    /** Applies {@link #claimPlanSettings()} to the current transaction only. */
    default void pinClaimPlan(DbExecute db) {
    }

    /**
     * The claim statement preceded by the pin of {@link #claimPlanSettings()}, as one request the
     * database runs as one implicit transaction: the pin holds for this claim alone and costs no
     * round trip of its own. Empty where the database cannot (the claim then runs in a transaction).
     */
    default Optional<String> pinnedClaim(String claim) {
        return Optional.empty();
    }

    /** Decides which replica sweeps; a database that one process owns makes that process the leader. */
    default LeaderElection leaderElection(DatabaseSettings settings) {
        return LeaderElection.alone();
    }

    /**
     * Wakes waiting claimers when jobs arrive; where several replicas share the database, it also
     * carries the signal to the others.
     */
    default JobSignal jobSignal(DatabaseSettings settings, Database database, Clock clock) {
        return new JobSignal();
    }
}
