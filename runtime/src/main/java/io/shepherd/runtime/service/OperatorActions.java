package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.List;

import io.helidon.dbclient.DbExecute;
import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.store.ActionStore;
import io.shepherd.runtime.store.Stores;

/**
 * The record of what operators did: every lever pulled (drain, undrain, revoke, reset, cancel,
 * retry, a recovery sweep or a retention run started by hand) is written in the same transaction as its effect, and logged on {@code
 * io.shepherd.runtime.audit}, naming the caller by role and token fingerprint, never the token.
 */
public final class OperatorActions {
    private static final System.Logger AUDIT = System.getLogger("io.shepherd.runtime.audit");
    public static final int MAX_LIMIT = 500;

    private final Stores stores;
    private final Clock clock;

    public OperatorActions(Stores stores, Clock clock) {
        this.stores = stores;
        this.clock = clock;
    }

    /** Records an action in {@code tx}; log it with {@link #log} once the transaction committed. */
    void record(DbExecute tx, Caller caller, String action, String target, String detail) {
        stores.actions().record(tx, clock.millis(), caller.actor(), action, target, detail);
    }

    /** Records and logs an action that changed nothing else in the database's transactions (a sweep run now). */
    public void recordNow(Caller caller, String action, String target, String detail) {
        record(stores.database().execute(), caller, action, target, detail);
        log(caller, action, target, detail);
    }

    static void log(Caller caller, String action, String target, String detail) {
        AUDIT.log(System.Logger.Level.INFO, caller.actor() + " " + action + " " + target
                + (detail == null ? "" : " (" + detail + ")"));
    }

    /** The newest actions first; {@code before} is the id of the last one of the previous page. */
    public List<ActionStore.Action> list(Caller caller, Long before, Integer limit) {
        caller.requireOperatorView();
        int size = limit == null ? 100 : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw Problem.badRequest("limit must be between 1 and " + MAX_LIMIT + ", was " + size);
        }
        return stores.database().read(db -> stores.actions().list(db, before, size));
    }
}
