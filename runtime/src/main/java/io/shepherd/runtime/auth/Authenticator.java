package io.shepherd.runtime.auth;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.store.Stores;

/**
 * Turns a bearer token into a {@link Caller}: admin, client and enroll tokens come from
 * configuration; bot tokens are looked up by their hash.
 */
public final class Authenticator {
    private static final String BEARER = "Bearer ";

    private final TokenSet tokens;
    private final Stores stores;
    /**
     * Known bot token → bot id; a bot's token never changes, so a hit never goes stale, and a
     * request with a known token costs no hash. Only tokens the database knows are kept.
     */
    private final Map<String, String> botsByToken = new ConcurrentHashMap<>();

    public Authenticator(TokenSet tokens, Stores stores) {
        this.tokens = tokens;
        this.stores = stores;
    }

    /** The configured tokens of each fixed role. */
    public record TokenSet(List<String> admin, List<String> client, List<String> enroll) {
        public TokenSet {
            admin = List.copyOf(admin);
            client = List.copyOf(client);
            enroll = List.copyOf(enroll);
        }

        public boolean isEmpty() {
            return admin.isEmpty() && client.isEmpty() && enroll.isEmpty();
        }
    }

    public Caller authenticate(Optional<String> authorization) {
        String header = authorization.orElseThrow(
                () -> Problem.unauthorized("Authorization: Bearer <token> is required"));
        if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw Problem.unauthorized("Authorization must use the Bearer scheme");
        }
        String token = header.substring(BEARER.length()).trim();
        if (token.isEmpty()) {
            throw Problem.unauthorized("The bearer token is empty");
        }
        if (matches(tokens.admin(), token)) {
            return Caller.admin();
        }
        if (matches(tokens.client(), token)) {
            return new Caller(Role.CLIENT, null);
        }
        if (matches(tokens.enroll(), token)) {
            return new Caller(Role.ENROLL, null);
        }
        String botId = botsByToken.get(token);
        if (botId == null) {
            botId = stores.bots().idForTokenHash(stores.database().execute(), Tokens.hash(token))
                    .orElseThrow(() -> Problem.unauthorized("Unknown token"));
            if (botsByToken.size() > 100_000) {
                botsByToken.clear();
            }
            botsByToken.put(token, botId);
        }
        return Caller.bot(botId);
    }

    private static boolean matches(List<String> candidates, String token) {
        boolean found = false;
        for (String candidate : candidates) {
            found |= Tokens.same(candidate, token);
        }
        return found;
    }
}
