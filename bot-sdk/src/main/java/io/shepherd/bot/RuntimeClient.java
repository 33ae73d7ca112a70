package io.shepherd.bot;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import io.helidon.faulttolerance.CircuitBreaker;
import io.helidon.faulttolerance.CircuitBreakerOpenException;
import io.helidon.faulttolerance.Retry;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Method;
import io.helidon.webclient.api.HttpClientRequest;
import io.helidon.webclient.api.HttpClientResponse;
import io.helidon.webclient.api.WebClient;
import jakarta.json.JsonObject;

/**
 * Every call to the runtime goes through here: a circuit breaker per runtime URL, failover to
 * the next URL when one cannot answer, and — for calls that must get through — Helidon's retry
 * with exponential backoff and jitter. A 4xx answer is an answer, returned to the caller; only
 * a failure to answer (connection, timeout, 5xx) counts against a runtime.
 */
final class RuntimeClient {
    private static final System.Logger LOG = System.getLogger(RuntimeClient.class.getName());
    static final String CORRELATION_ID = "X-Correlation-ID";

    private final List<String> servers;
    private final Map<String, CircuitBreaker> breakers = new LinkedHashMap<>();
    private final Map<String, CircuitBreaker.State> seenStates = new ConcurrentHashMap<>();
    private final WebClient http;
    private final Retry retry;
    private final AtomicLong retries = new AtomicLong();
    private volatile int preferred;
    private volatile String lastGood;

    RuntimeClient(List<String> servers, Settings settings) {
        this.servers = List.copyOf(servers);
        for (String server : servers) {
            CircuitBreaker breaker = CircuitBreaker.builder()
                    .name("shepherd " + server)
                    .volume(settings.breakerFailures())
                    .errorRatio(100)
                    .delay(settings.breakerDelay())
                    .successThreshold(1)
                    .applyOn(java.util.Set.of(ServerFailure.class))
                    .build();
            breakers.put(server, breaker);
            seenStates.put(server, CircuitBreaker.State.CLOSED);
        }
        this.http = WebClient.builder()
                .connectTimeout(settings.connectTimeout())
                .readTimeout(Duration.ofSeconds(30))
                .followRedirects(false)
                .build();
        this.retry = Retry.builder()
                .name("shepherd calls")
                .retryPolicy(new ExponentialBackoff(settings.retryInitial(), settings.retryMax(), settings.retryCalls()))
                .overallTimeout(Duration.ofDays(1))
                .applyOn(java.util.Set.of(ServerFailure.class))
                .build();
    }

    /** Settings of the SDK's fault tolerance. */
    record Settings(Duration connectTimeout, int breakerFailures, Duration breakerDelay, Duration retryInitial,
                    Duration retryMax, int retryCalls) {
    }

    /** A call that must get through: retried with backoff across every runtime until the retries run out. */
    ApiResponse callRetrying(Method method, String path, String token, JsonObject body, Duration readTimeout,
                             String correlationId) {
        int[] attempt = {0};
        return retry.invoke(() -> {
            if (attempt[0]++ > 0) {
                retries.incrementAndGet();
            }
            return callOnce(method, path, token, body, readTimeout, correlationId);
        });
    }

    /** One pass over the runtimes, starting with the one that answered last. */
    ApiResponse callOnce(Method method, String path, String token, JsonObject body, Duration readTimeout,
                         String correlationId) {
        List<String> failures = new ArrayList<>();
        int start = preferred;
        for (int i = 0; i < servers.size(); i++) {
            int index = (start + i) % servers.size();
            String server = servers.get(index);
            try {
                ApiResponse response = breakers.get(server).invoke(
                        () -> send(server, method, path, token, body, readTimeout, correlationId));
                preferred = index;
                lastGood = server;
                observeCircuits();
                return response;
            } catch (CircuitBreakerOpenException e) {
                failures.add(server + ": circuit open");
            } catch (Unavailable e) {
                failures.add(server + ": " + e.getMessage());
            } catch (ServerFailure e) {
                failures.add(server + ": " + e.getMessage());
            }
            observeCircuits();
        }
        String summary = method.text() + " " + path + " failed on every runtime " + failures
                + " [" + correlationId + "]";
        LOG.log(System.Logger.Level.WARNING, summary);
        throw new ServerFailure(summary, null);
    }

    /**
     * Whether this runtime says it is ready. Not counted against its circuit: waiting for a
     * runtime that is still starting is not a failure of it.
     */
    boolean ready(String server, String correlationId) {
        try {
            return send(server, Method.GET, "/ready", null, null, Duration.ofSeconds(5), correlationId).ok();
        } catch (ServerFailure e) {
            return false;
        }
    }

    private ApiResponse send(String server, Method method, String path, String token, JsonObject body,
                             Duration readTimeout, String correlationId) {
        HttpClientRequest request = http.method(method)
                .uri(server + path)
                .readTimeout(readTimeout)
                .header(HeaderValues.create(CORRELATION_ID, correlationId));
        if (token != null) {
            request.header(HeaderValues.create(HeaderNames.AUTHORIZATION, "Bearer " + token));
        }
        try (HttpClientResponse response = body == null
                ? request.request()
                : request.header(HeaderValues.CONTENT_TYPE_JSON).submit(body.toString())) {
            int status = response.status().code();
            String text = response.entity().hasEntity() ? response.entity().as(String.class) : "";
            if (status == 503 && response.headers().contains(HeaderNames.RETRY_AFTER)) {
                // alive, and asking to be asked again shortly (e.g. its database is away): not a
                // failure of this runtime, so its circuit stays closed and the bot is back the
                // moment the database is
                throw new Unavailable("HTTP 503, Retry-After " + response.headers().get(HeaderNames.RETRY_AFTER).get());
            }
            if (status >= 500) {
                throw new ServerFailure("HTTP " + status, null);
            }
            return new ApiResponse(status, text);
        } catch (ServerFailure | Unavailable e) {
            throw e;
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw e;
            }
            throw new ServerFailure(describe(e), e);
        }
    }

    private static String describe(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }

    /** A runtime that answered 503 with Retry-After: try another, or again later, without counting it against its circuit. */
    static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message, null, false, false);
        }
    }

    /** Logs every circuit that changed state since it was last looked at. */
    void observeCircuits() {
        breakers.forEach((server, breaker) -> {
            CircuitBreaker.State now = breaker.state();
            CircuitBreaker.State before = seenStates.put(server, now);
            if (before != now) {
                LOG.log(now == CircuitBreaker.State.OPEN ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
                        "Circuit to " + server + " is " + now + " (was " + before + ")");
            }
        });
    }

    Map<String, String> circuits() {
        observeCircuits();
        Map<String, String> states = new LinkedHashMap<>();
        breakers.forEach((server, breaker) -> states.put(server, breaker.state().name()));
        return states;
    }

    List<String> servers() {
        return servers;
    }

    long retries() {
        return retries.get();
    }

    String lastGood() {
        return lastGood;
    }
}
