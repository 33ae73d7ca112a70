package io.shepherd.runtime.http;

import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.metrics.api.MeterRegistryFormatter;
import io.helidon.metrics.api.Metrics;
import io.helidon.metrics.api.MetricsConfig;
import io.helidon.metrics.spi.MeterRegistryFormatterProvider;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

/**
 * {@code GET /metrics}: Helidon's registry in Prometheus text format (as {@code /observe/metrics}
 * serves it). Every value is in memory — kept current by the runtime's background parts — so a
 * scrape never waits for the database.
 */
public final class MetricsHttpService implements HttpService {
    private final MetricsConfig config = MetricsConfig.create();
    /** Looked up once: a {@link ServiceLoader} scan per scrape costs more than the scrape. */
    private final List<MeterRegistryFormatterProvider> formatters = ServiceLoader.load(MeterRegistryFormatterProvider.class)
            .stream().map(ServiceLoader.Provider::get).toList();
    private final java.util.function.Supplier<String> extra;

    /** {@code extra}: series written here rather than by Helidon's formatter. */
    public MetricsHttpService(java.util.function.Supplier<String> extra) {
        this.extra = extra;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::scrape);
    }

    private void scrape(ServerRequest req, ServerResponse res) {
        Optional<Object> text = Optional.empty();
        for (MeterRegistryFormatterProvider provider : formatters) {
            Optional<MeterRegistryFormatter> formatter = provider.formatter(MediaTypes.TEXT_PLAIN, config,
                    Metrics.globalRegistry(), Optional.empty(), List.of(), List.of());
            if (formatter.isPresent()) {
                text = formatter.get().format();
                break;
            }
        }
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        String body = text.map(Object::toString).orElse("");
        if (body.endsWith("# EOF\n")) {
            body = body.substring(0, body.length() - "# EOF\n".length());
        }
        res.send(body + extra.get());
    }
}
