package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.auth.Tokens;
import io.shepherd.runtime.core.BotStatus;
import io.shepherd.runtime.core.Names;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.store.BotRow;
import io.shepherd.runtime.store.Stores;

/** Enrolls a bot: it gets an id, its own token (stored hashed) and its first session. */
public final class RegisterBot {
    private final Stores stores;
    private final Clock clock;

    public RegisterBot(Stores stores, Clock clock) {
        this.stores = stores;
        this.clock = clock;
    }

    /** How many job types one bot may register for. */
    public static final int MAX_TYPES = 100;

    /** {@code labels}: name to value (strings), empty when none. */
    public record Registration(String name, List<String> types, Map<String, String> labels) {
    }

    public record Registered(BotRow bot, String token) {
    }

    public Registered register(Caller caller, Registration registration) {
        caller.requireEnroll();
        if (!Names.text(registration.name())) {
            throw Problem.badRequest("name is required: " + Names.TEXT_RULE);
        }
        if (registration.types() == null || registration.types().isEmpty()) {
            throw Problem.badRequest("types must list at least one job type");
        }
        if (registration.types().size() > MAX_TYPES) {
            throw Problem.badRequest("types lists " + registration.types().size() + " job types; at most " + MAX_TYPES);
        }
        for (String type : registration.types()) {
            if (!Names.name(type)) {
                throw Problem.badRequest("every entry of types must be a job type of " + Names.NAME_RULE
                        + (type == null ? "" : ", was " + Names.shown(type)));
            }
        }
        Names.requireLabels(registration.labels());
        long now = clock.millis();
        String token = Tokens.generate("shb_");
        BotRow bot = new BotRow(UUID.randomUUID().toString(), registration.name(),
                List.copyOf(new java.util.LinkedHashSet<>(registration.types())),
                labelsJson(registration.labels()), BotStatus.IDLE, UUID.randomUUID().toString(),
                now, now, false, now, new ArrayList<>());
        stores.bots().insert(stores.database().execute(), bot, Tokens.hash(token));
        return new Registered(bot, token);
    }

    private static String labelsJson(Map<String, String> labels) {
        var json = jakarta.json.Json.createObjectBuilder();
        labels.forEach(json::add);
        return json.build().toString();
    }
}
