package io.shepherd.runtime.service;

import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.core.BotStatus;
import io.shepherd.runtime.core.Names;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.store.BotRow;
import io.shepherd.runtime.store.Stores;
import io.shepherd.runtime.wake.JobSignal;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * An operator's drain and undrain, of one bot or of every bot whose labels match a selector. A
 * drained bot is told so by its next heartbeat: it stops claiming, finishes or gives back what
 * it holds within its grace, and exits or idles as it was configured. The wish outlives the
 * bot's restarts until it is undrained. Each is recorded as an operator action.
 */
public final class DrainBots {
    private final Stores stores;
    private final OperatorActions actions;
    private final JobSignal signal;

    public DrainBots(Stores stores, OperatorActions actions, JobSignal signal) {
        this.stores = stores;
        this.actions = actions;
        this.signal = signal;
    }

    /** Drains ({@code drain} true) or undrains one bot. */
    public void set(Caller caller, String botId, boolean drain) {
        caller.requireAdmin();
        String action = drain ? "bot.drain" : "bot.undrain";
        stores.database().inTransaction(tx -> {
            BotRow bot = stores.bots().find(tx, botId).orElseThrow(() -> Problem.notFound("No bot " + botId));
            if (bot.status() == BotStatus.REVOKED) {
                throw Problem.conflict("Bot " + botId + " is revoked; it can neither drain nor claim again");
            }
            if (drain) {
                stores.bots().drain(tx, botId);
            } else {
                stores.bots().undrain(tx, botId);
            }
            actions.record(tx, caller, action, botId, null);
            return null;
        });
        if (drain) {
            signal.drained(botId);
        }
        OperatorActions.log(caller, action, botId, null);
    }

    /**
     * Drains or undrains every bot (revoked ones aside) whose labels hold each of the selector's
     * pairs; an empty selector is refused, so nobody drains the whole fleet by a typo. Answers the
     * ids of the bots it changed.
     */
    public List<String> setMatching(Caller caller, Map<String, String> selector, boolean drain) {
        caller.requireAdmin();
        if (selector == null || selector.isEmpty()) {
            throw Problem.badRequest("labels must name at least one label the bots to "
                    + (drain ? "drain" : "undrain") + " carry, e.g. {\"labels\": {\"zone\": \"a\"}}");
        }
        Names.requireLabels(selector); // a label no bot can have matches nothing: say so instead
        String action = drain ? "bot.drain" : "bot.undrain";
        String detail = "selector " + Json.createObjectBuilder(Map.copyOf(selector)).build();
        List<String> changed = stores.database().inTransaction(tx -> {
            List<String> ids = new ArrayList<>();
            for (BotRow bot : stores.bots().list(tx, null)) {
                if (bot.status() != BotStatus.REVOKED && matches(bot.labels(), selector)
                        && (drain ? stores.bots().drain(tx, bot.id()) : stores.bots().undrain(tx, bot.id()))) {
                    ids.add(bot.id());
                    actions.record(tx, caller, action, bot.id(), detail);
                }
            }
            return ids;
        });
        changed.forEach(id -> OperatorActions.log(caller, action, id, detail));
        if (drain) {
            changed.forEach(signal::drained);
        }
        return changed;
    }

    private static boolean matches(String labelsJson, Map<String, String> selector) {
        JsonObject labels;
        try (var reader = Json.createReader(new StringReader(labelsJson == null ? "{}" : labelsJson))) {
            labels = reader.readObject();
        } catch (RuntimeException e) {
            return false;
        }
        for (var wanted : selector.entrySet()) {
            JsonValue value = labels.get(wanted.getKey());
            String text = value instanceof JsonString s ? s.getString() : value == null ? null : value.toString();
            if (!wanted.getValue().equals(text)) {
                return false;
            }
        }
        return true;
    }
}
