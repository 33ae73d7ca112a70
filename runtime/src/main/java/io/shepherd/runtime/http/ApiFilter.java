package io.shepherd.runtime.http;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.logging.common.HelidonMdc;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.shepherd.runtime.core.CorrelationIds;
import io.shepherd.runtime.core.Problem;

/**
 * Runs first on every request: gives it a correlation id (the caller's own, or a new one) that
 * is echoed in the response and put in every log line, and refuses a body declared over the limit
 * before anything reads it.
 */
public final class ApiFilter implements Filter {
    public static final HeaderName CORRELATION_ID = HeaderNames.create("X-Correlation-ID");
    public static final String MDC_KEY = "correlationId";

    private final long maxBody;
    private final java.util.function.BooleanSupplier schemaReady;

    public ApiFilter(long maxBody, java.util.function.BooleanSupplier schemaReady) {
        this.maxBody = maxBody;
        this.schemaReady = schemaReady;
    }

    /** The correlation id of the request this thread serves (set by this filter for the request's life). */
    public static String current() {
        return org.slf4j.MDC.get(MDC_KEY);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        String id = CorrelationIds.orNew(req.headers().value(CORRELATION_ID).orElse(null));
        res.header(CORRELATION_ID, id);
        HelidonMdc.set(MDC_KEY, id);
        org.slf4j.MDC.put(MDC_KEY, id);
        try {
            var length = req.headers().contentLength();
            if (length.isPresent() && length.getAsLong() > maxBody) {
                Responses.problem(res, Problem.tooLarge("The body is " + length.getAsLong()
                        + " bytes, over the limit of " + maxBody + " bytes"));
                return;
            }
            if (!schemaReady.getAsBoolean() && req.path().path().startsWith("/v1/")) {
                Responses.problem(res, Problem.unavailable("The database has not been reached yet; try again shortly", 2));
                return;
            }
            chain.proceed();
        } finally {
            HelidonMdc.remove(MDC_KEY);
            org.slf4j.MDC.remove(MDC_KEY);
        }
    }
}
