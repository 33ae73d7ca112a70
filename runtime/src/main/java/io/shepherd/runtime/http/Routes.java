package io.shepherd.runtime.http;

import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import io.helidon.health.HealthCheckResponse;
import io.helidon.health.HealthCheckType;
import io.helidon.openapi.OpenApiFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.observe.ObserveFeature;
import io.helidon.webserver.observe.health.HealthObserver;
import io.helidon.webserver.observe.metrics.MetricsObserver;
import io.shepherd.plugins.api.HealthStatus;
import io.shepherd.runtime.core.Problem;
import io.shepherd.runtime.core.Settings;
import io.shepherd.runtime.health.HealthMonitor;
import io.shepherd.runtime.metrics.RuntimeMetrics;
import io.shepherd.runtime.plugins.PluginInfo;
import io.shepherd.runtime.policy.PolicyBook;
import io.shepherd.runtime.recovery.RecoveryScheduler;
import io.shepherd.runtime.schedule.Schedules;
import io.shepherd.runtime.service.Services;

/** The whole HTTP surface: the API's resources, the health and metrics endpoints, and Helidon's observers. */
public final class Routes {
    /** Where the API's own OpenAPI document ({@code META-INF/openapi.yaml}) is served. */
    public static final String OPENAPI = "/openapi";

    private Routes() {
    }

    /** {@code /openapi}: the contract, as YAML ({@code ?format=JSON} for JSON), no token. */
    public static OpenApiFeature openApi() {
        return OpenApiFeature.builder().webContext(OPENAPI).build();
    }

    /** Every route of the API and its probes; a path none of them knows is 404 problem+json. */
    public static HttpRouting.Builder api(Api api, Settings settings, Services services, Schedules schedules,
                                          RecoveryScheduler recovery, Supplier<List<PluginInfo>> plugins,
                                          Supplier<PolicyBook> policies,
                                          RuntimeMetrics metrics, HealthHttpService health, ApiFilter filter) {
        HttpRouting.Builder routing = HttpRouting.builder()
                .addFilter(filter)
                .register("/v1/jobs", new JobsHttpService(api, services))
                .register("/v1/bots", new BotsHttpService(api, settings, services))
                .register("/v1/stats", new StatsHttpService(api, services.readJobs(), services.recentActivity()))
                .register("/v1/events", new EventsHttpService(api, services.readJobs()))
                .register("/v1/queues", new QueuesHttpService(api, services.queues()))
                .register("/v1/schedules", new SchedulesHttpService(api, schedules))
                .register("/v1/admin/recovery", new RecoveryHttpService(api, recovery, services.operatorActions(), policies))
                .register("/v1/admin/plugins", new PluginsHttpService(api, plugins))
                .register("/v1/whoami", new WhoAmIHttpService(api))
                .register("/v1/admin/actions", new ActionsHttpService(api, services.operatorActions()))
                .register("/metrics", new MetricsHttpService(metrics::orphanedGaugeText))
                .register(ConsoleHttpService.PATH, new ConsoleHttpService())
                .register("/", health)
                .any((req, res) -> {
                    String path = req.path().path();
                    if (path.startsWith("/observe") || path.startsWith(OPENAPI)) {
                        res.next(); // Helidon's observe and OpenAPI endpoints are routed after ours
                        return;
                    }
                    throw Problem.notFound("No such resource: " + req.path().path());
                });
        ErrorHandlers.register(routing);
        return routing;
    }

    /** Helidon's own {@code /observe/health} and {@code /observe/metrics}, on the same checks. */
    public static ObserveFeature observers(HealthHttpService health, HealthMonitor checks) {
        HealthObserver observer = HealthObserver.builder()
                .details(true)
                .useSystemServices(false)
                .addCheck(() -> response(HealthHttpService.liveness()), HealthCheckType.LIVENESS, "liveness")
                .addCheck(() -> response(health.readiness()), HealthCheckType.READINESS, "readiness")
                .addCheck(() -> response(checks.latest().statuses()), HealthCheckType.STARTUP, "deep")
                .build();
        return ObserveFeature.just(observer, MetricsObserver.create());
    }

    private static HealthCheckResponse response(Map<String, HealthStatus> checks) {
        HealthCheckResponse.Builder response = HealthCheckResponse.builder()
                .status(checks.values().stream().allMatch(HealthStatus::up));
        checks.forEach((name, status) -> response.detail(name, status.up() ? "UP" : "DOWN"));
        return response.build();
    }
}
