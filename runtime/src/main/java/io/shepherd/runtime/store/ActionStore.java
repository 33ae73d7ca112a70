package io.shepherd.runtime.store;

import java.util.List;

import io.helidon.dbclient.DbExecute;

/** The SQL for the record of operator actions. */
public final class ActionStore {
    /** One operator action: who (a token's role and fingerprint, never the token), what, on what, when. */
    public record Action(long id, long at, String actor, String action, String target, String detail) {
    }

    public void record(DbExecute db, long at, String actor, String action, String target, String detail) {
        db.createInsert("INSERT INTO operator_actions (at, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)")
                .params(at, actor, action, target, detail).execute();
    }

    /** The newest actions first, older than the {@code beforeId} cursor when given. */
    public List<Action> list(DbExecute db, Long beforeId, int limit) {
        String sql = "SELECT id, at, actor, action, target, detail FROM operator_actions"
                + (beforeId == null ? "" : " WHERE id < ?") + " ORDER BY id DESC LIMIT ?";
        var query = db.createQuery(sql);
        if (beforeId != null) {
            query.addParam(beforeId);
        }
        return Rows.list(query.addParam(limit).execute(), r -> new Action(Rows.longValue(r, "id"),
                Rows.longValue(r, "at"), Rows.string(r, "actor"), Rows.string(r, "action"), Rows.string(r, "target"),
                Rows.string(r, "detail")));
    }

    /** Deletes up to {@code limit} actions recorded before the cutoff; answers how many it picked. */
    public long prune(DbExecute db, long before, int limit) {
        List<Long> picked = Rows.list(db.createQuery("SELECT id FROM operator_actions WHERE at < ? ORDER BY at LIMIT ?")
                .params(before, limit).execute(), r -> Rows.longValue(r, "id"));
        if (!picked.isEmpty()) {
            db.createDelete("DELETE FROM operator_actions WHERE id IN (" + JobStore.placeholders(picked.size()) + ")")
                    .params(new java.util.ArrayList<Object>(picked)).execute();
        }
        return picked.size();
    }
}
