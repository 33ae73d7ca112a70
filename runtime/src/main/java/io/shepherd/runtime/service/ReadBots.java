package io.shepherd.runtime.service;

import java.util.List;
import java.util.Map;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.BotStatus;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.StatusCounts;
import io.shepherd.runtime.store.BotRow;
import io.shepherd.runtime.store.Stores;

/** Reads bots, each with the jobs it holds derived from the jobs table. */
public final class ReadBots {
    private final Stores stores;

    public ReadBots(Stores stores) {
        this.stores = stores;
    }

    public BotRow get(Caller caller, String id) {
        caller.requireBotOrViewer(id);
        var db = stores.database().execute();
        BotRow bot = stores.bots().find(db, id).orElseThrow(() -> Problem.notFound("No bot " + id));
        return bot.withJobs(stores.jobs().heldBy(db, id));
    }

    public List<BotRow> list(Caller caller, String status) {
        caller.requireOperatorView();
        if (status != null && !StatusCounts.BOT_STATUSES.contains(status)) {
            throw Problem.badRequest("status must be one of " + StatusCounts.BOT_STATUSES + ", was " + status);
        }
        BotStatus wanted = status == null ? null : BotStatus.of(status);
        // busy is idle-while-holding-jobs, so filter on the derived status, not the stored one
        BotStatus stored = wanted == BotStatus.BUSY ? BotStatus.IDLE : wanted;
        return stores.database().read(db -> {
            List<BotRow> bots = stores.bots().list(db, stored);
            Map<String, List<String>> held = stores.jobs().heldBy(db, bots.stream().map(BotRow::id).toList());
            return bots.stream()
                .map(b -> b.withJobs(held.getOrDefault(b.id(), List.of())))
                .filter(b -> wanted == null || wanted == b.effectiveStatus())
                .toList();
        });
    }
}
