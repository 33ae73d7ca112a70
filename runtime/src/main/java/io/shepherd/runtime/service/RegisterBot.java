package io.shepherd.runtime.service;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import io.shepherd.runtime.auth.Caller;
import io.shepherd.runtime.auth.Tokens;
import io.shepherd.runtime.core.BotStatus;
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

    /** {@code labels} is a JSON object as text. */
    public record Registration(String name, List<String> types, String labels) {
    }

    public record Registered(BotRow bot, String token) {
    }

    public Registered register(Caller caller, Registration registration) {
        caller.requireEnroll();
        if (registration.name() == null || registration.name().isBlank() || registration.name().length() > 200) {
            throw Problem.badRequest("name is required (1 to 200 characters)");
        }
        if (registration.types() == null || registration.types().isEmpty()) {
            throw Problem.badRequest("types must list at least one job type");
        }
        for (String type : registration.types()) {
            if (type == null || type.isBlank() || type.length() > 200) {
                throw Problem.badRequest("every entry of types must be a job type of 1 to 200 characters");
            }
        }
        long now = clock.millis();
        String token = Tokens.generate("shb_");
        BotRow bot = new BotRow(UUID.randomUUID().toString(), registration.name(),
                List.copyOf(new java.util.LinkedHashSet<>(registration.types())),
                registration.labels() == null ? "{}" : registration.labels(), BotStatus.IDLE, UUID.randomUUID().toString(),
                now, now, false, new ArrayList<>());
        stores.bots().insert(stores.database().execute(), bot, Tokens.hash(token));
        return new Registered(bot, token);
    }
}
