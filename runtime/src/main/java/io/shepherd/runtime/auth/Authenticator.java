package io.shepherd.runtime.auth;

import java.time.Clock;
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
    /** How long a bot token known to be good is believed without asking the database again (a backstop). */
    static final long TRUST_MILLIS = 300_000;
    /** How often this replica asks which bots were revoked lately (on any replica). */
    static final long REVOCATIONS_EVERY_MILLIS = 1000;
    /** How far back each look reaches beyond the latest revocation seen: replicas' clocks may differ. */
    static final long REVOCATION_OVERLAP_MILLIS = 10_000;
    /** The most bot tokens remembered; past it the memory starts over (a bot's next request costs one lookup). */
    static final int MAX_REMEMBERED = 20_000;
    /** How long a token the database did not know is refused without asking again. */
    static final long UNKNOWN_FOR_MILLIS = 10_000;

    private final TokenSet tokens;
    private final Stores stores;
    private final Clock clock;
    /**
     * Bot token → bot id, and when the database last said so. A hit costs no hash and no query.
     * Once a second, whoever authenticates first asks which bots were revoked since the latest
     * revocation seen, and forgets their tokens: a token revoked on any replica stops working
     * everywhere within a second (at once on the replica that revoked), for one small query a
     * second per replica however many bots there are. An entry older than {@link #TRUST_MILLIS}
     * is asked again anyway.
     */
    private final Map<String, Known> botsByToken = new ConcurrentHashMap<>();
    private final java.util.concurrent.locks.ReentrantLock revocationLook = new java.util.concurrent.locks.ReentrantLock();
    /** Tokens the database did not know lately, and when it said so: refused again without a lookup. */
    private final Map<String, Long> unknown = new ConcurrentHashMap<>();
    private final FailedAttempts failures;
    private volatile long revocationsLookedAt;
    private volatile long latestRevocation;

    private record Known(String botId, long checkedAt) {
    }

    /** {@code failuresPerMinute}: failed authentications one client address may make a minute. */
    public Authenticator(TokenSet tokens, Stores stores, Clock clock, int failuresPerMinute) {
        this.failures = new FailedAttempts(failuresPerMinute);
        this.tokens = tokens;
        this.stores = stores;
        this.clock = clock;
        this.latestRevocation = clock.millis();
    }

    /** The configured tokens of each fixed role. */
    public record TokenSet(List<String> admin, List<String> client, List<String> enroll, List<String> viewer) {
        public TokenSet {
            admin = List.copyOf(admin);
            client = List.copyOf(client);
            enroll = List.copyOf(enroll);
            viewer = List.copyOf(viewer);
        }

        /** Without viewer tokens. */
        public TokenSet(List<String> admin, List<String> client, List<String> enroll) {
            this(admin, client, enroll, List.of());
        }

        public boolean isEmpty() {
            return admin.isEmpty() && client.isEmpty() && enroll.isEmpty() && viewer.isEmpty();
        }
    }

    /**
     * The caller presenting {@code authorization} from {@code address}. A failure is a 401 (and
     * counts against the address); an address past its budget of failures gets 429 for any
     * token the runtime does not already know, without a lookup.
     */
    public Caller authenticate(Optional<String> authorization, String address) {
        try {
            return authenticate(authorization, address, clock.millis());
        } catch (Problem p) {
            if (p.status() == 401) {
                failures.failed(address, clock.millis());
            }
            throw p;
        }
    }

    private Caller authenticate(Optional<String> authorization, String address, long now) {
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
            return Caller.of(Role.ADMIN, token);
        }
        if (matches(tokens.client(), token)) {
            return Caller.of(Role.CLIENT, token);
        }
        if (matches(tokens.enroll(), token)) {
            return Caller.of(Role.ENROLL, token);
        }
        if (matches(tokens.viewer(), token)) {
            return Caller.of(Role.VIEWER, token);
        }
        forgetRevoked(now);
        Known known = botsByToken.get(token);
        if (known == null || now - known.checkedAt() >= TRUST_MILLIS) {
            long wait = failures.waitSeconds(address, now);
            if (wait > 0) {
                throw Problem.tooManyRequests("Too many failed authentications from " + address + "; try again in "
                        + wait + " s", wait);
            }
            Long unknownAt = unknown.get(token);
            if (unknownAt != null && now - unknownAt < UNKNOWN_FOR_MILLIS) {
                throw Problem.unauthorized("Unknown or revoked token");
            }
            Optional<String> botId = stores.bots().idForTokenHash(stores.database().execute(), Tokens.hash(token));
            if (botId.isEmpty()) {
                botsByToken.remove(token);
                if (unknown.size() >= MAX_REMEMBERED) {
                    unknown.clear();
                }
                unknown.put(token, now);
                throw Problem.unauthorized("Unknown or revoked token");
            }
            if (botsByToken.size() >= MAX_REMEMBERED) {
                botsByToken.clear();
            }
            known = new Known(botId.get(), now);
            botsByToken.put(token, known);
        }
        return Caller.bot(known.botId());
    }

    /**
     * Whether the header carries a token this runtime accepts: for what answers everyone but
     * tells an authenticated caller more. No header is simply no; a wrong token counts as a failure.
     */
    public boolean accepts(Optional<String> authorization, String address) {
        if (authorization.isEmpty()) {
            return false;
        }
        try {
            authenticate(authorization, address);
            return true;
        } catch (Problem p) {
            return false;
        }
    }

    /** At most once a second: forgets the tokens of bots revoked lately on any replica. */
    private void forgetRevoked(long now) {
        if (now - revocationsLookedAt < REVOCATIONS_EVERY_MILLIS || botsByToken.isEmpty()
                || !revocationLook.tryLock()) {
            return;
        }
        try {
            revocationsLookedAt = now;
            for (var revoked : stores.bots().revokedSince(stores.database().execute(),
                    latestRevocation - REVOCATION_OVERLAP_MILLIS)) {
                forget(revoked.getKey());
                latestRevocation = Math.max(latestRevocation, revoked.getValue());
            }
        } catch (RuntimeException e) {
            revocationsLookedAt = 0; // the database is away: the request meets it too; look again next time
        } finally {
            revocationLook.unlock();
        }
    }

    /** Forgets every remembered token of this bot (it was revoked here): its next request is refused. */
    public void forget(String botId) {
        botsByToken.values().removeIf(k -> k.botId().equals(botId));
    }

    private static boolean matches(List<String> candidates, String token) {
        boolean found = false;
        for (String candidate : candidates) {
            found |= Tokens.same(candidate, token);
        }
        return found;
    }
}
